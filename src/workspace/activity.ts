/**
 * What partners did in the workspace, one entry per call, kept in State.activity (bounded: the
 * oldest go first). Entries hold no Authorization value, secret or token: only how the caller
 * authenticated and which connection's resources it used.
 */
import { randomHex } from '../contract/random.js';
import type { Int64 } from '../contract/int64.js';
import type { Resources, State } from '../databricks/model.js';
import type { Store } from '../store/types.js';
import type { Activity } from './types.js';

export const ACTIVITY_LIMIT = 5000;
const DETAIL_LIMIT = 500;

export type NewActivity = Omit<Activity, 'id' | 'at'>;

/** Who made a call: the connection whose resources it used (its workspace, resources and partner). */
export const callerOf = (r: Resources): Pick<NewActivity, 'workspace_id' | 'resources_id' | 'partner_id'> => ({
  workspace_id: r.workspace_id,
  resources_id: r.id,
  partner_id: r.partner_id,
});

export async function recordActivity(
  store: Store,
  entry: NewActivity,
  now: Date,
  limit = ACTIVITY_LIMIT,
): Promise<Activity> {
  const full: Activity = { id: `act-${randomHex(6)}`, at: now.toISOString(), ...entry };
  if (full.detail && full.detail.length > DETAIL_LIMIT) full.detail = `${full.detail.slice(0, DETAIL_LIMIT)}…`;
  await store.update((s) => {
    const list = (s.activity ??= []);
    list.push(full);
    if (list.length > limit) list.splice(0, list.length - limit);
  });
  return full;
}

export function activityOf(
  state: Readonly<State>,
  filter: { workspace_id?: Int64; resources_id?: string },
): Activity[] {
  return (state.activity ?? []).filter(
    (a) =>
      (filter.workspace_id === undefined || a.workspace_id === filter.workspace_id) &&
      (filter.resources_id === undefined || a.resources_id === filter.resources_id),
  );
}
