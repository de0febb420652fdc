/** Records the store tests write. */
import type { Workspace } from '../../databricks/model.js';

/** The i-th workspace: an int64 id, name `w<i>`. */
export const ws = (i: number): Workspace => ({
  id: String(4645065419173783000n + BigInt(i)),
  name: `w${i}`,
  cloud: 'aws',
  region: 'r',
  demo: false,
  is_free_trial: false,
  hostname: 'h',
  port: 1,
  catalogs: [],
  external_locations: [],
  created_at: '',
});
