/**
 * What a statement leaves in State.sql_tables: the definitions of the tables SQL made, which a
 * restart (or a closed workspace opening again) recreates. A CREATE adds or replaces one, an ALTER
 * rewrites its columns, a DROP removes it. The REST and Thrift paths both record through here.
 * Edited where it is (a cut and a push in the log), not by rewriting the whole list.
 */
import type { Store } from '../store/types.js';
import type { StatementOutcome } from './sql.js';
import type { Principal } from './tokens.js';

export async function recordTables(store: Store, principal: Principal, o: StatementOutcome, now: Date): Promise<void> {
  const table = o.created ?? o.altered;
  // A RENAME TO drops one name and creates another: each is cut where it is.
  const names = [o.dropped, table?.name].filter((n): n is string => n !== undefined);
  if (names.length === 0) return;
  const ws = principal.workspace_id;
  await store.update((s) => {
    const list = (s.sql_tables ??= []);
    let before: (typeof list)[number] | undefined;
    for (const name of names) {
      const at = (store.read().sql_tables ?? []).findIndex((t) => t.workspace_id === ws && t.name === name);
      if (at < 0) continue;
      before ??= store.read().sql_tables![at];
      list.splice(at, 1);
    }
    if (table)
      list.push({
        workspace_id: ws,
        name: table.name,
        columns: table.columns,
        location: table.location,
        resources_id: principal.resources.id,
        // An ALTER or a RENAME keeps the table's creation time; a CREATE OR REPLACE makes a new table.
        created_at: ((o.altered || o.dropped) && before?.created_at) || now.toISOString(),
      });
  });
}
