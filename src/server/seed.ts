/**
 * What a first `pcsim serve` holds, so the first page already has something to click: a
 * production workspace and a demo workspace, an admin and a non-admin user in each. Fixed ids
 * above 2^53 on purpose: a partner that rounds int64 ids shows it on the first click.
 */
import type { Databricks } from '../databricks/databricks.js';

export const SEED = {
  workspaces: [
    { id: '7474651234567890123', name: 'Acme Production', cloud: 'aws', region: 'us-west-2', demo: false },
    { id: '7474659876543210987', name: 'Sales Demo', cloud: 'azure', region: 'westeurope', demo: true },
  ],
  users: [
    {
      id: '9007199254740993',
      email: 'admin@acme.databricks-test.com',
      first_name: 'Ada',
      last_name: 'Admin',
      admin: true,
    },
    {
      id: '9007199254741995',
      email: 'analyst@acme.databricks-test.com',
      first_name: 'Alan',
      last_name: 'Analyst',
      admin: false,
    },
  ],
} as const;

export async function seedState(dbx: Databricks): Promise<void> {
  for (const w of SEED.workspaces) {
    if (dbx.store.read().workspaces.some((x) => x.id === w.id)) continue;
    await dbx.createWorkspace({ ...w });
  }
  for (const w of SEED.workspaces) for (const u of SEED.users) await dbx.addUser(w.id, { ...u });
}
