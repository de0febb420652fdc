/** The Databricks side's state: what a workspace knows. int64 ids are decimal strings (contract/int64.ts). */
import type { Cloud } from '../contract/enums.js';
import type { Int64 } from '../contract/int64.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import type { Exchange } from '../partner-client/types.js';
import type { WorkspaceApiState } from '../workspace/types.js';

export interface Workspace {
  id: Int64;
  name: string;
  cloud: Cloud;
  region: string;
  /** A sales demo workspace: every Connect call carries demo: true (CONTRACT §7). */
  demo: boolean;
  /** The Databricks workspace itself is on a trial (is_free_trial). */
  is_free_trial: boolean;
  /** Host and port the partner is told to call back (this simulator, or test_workspace_detail). */
  hostname: string;
  port: number;
  catalogs: string[];
  external_locations: string[];
  created_at: string;
}

export interface User {
  id: Int64;
  email: string;
  first_name: string;
  last_name: string;
  admin: boolean;
  workspaces: Int64[];
  created_at: string;
}

export interface PartnerRecord {
  /** A slug of the partner's name, unique in this state. */
  id: string;
  config: PartnerConfig;
  /** Where the config came from (a file path, "admin-api", "reference"). */
  source: string;
  registered_at: string;
}

/** What Databricks provisions before calling Connect (CONTRACT §3, §8). */
export interface Resources {
  id: string;
  workspace_id: Int64;
  partner_id: string;
  service_principal_id: string;
  /** In memory only, between provisioning and the Connect request; stored as pat_sha256. */
  pat?: string;
  /** In memory only, like pat; stored as oauth_secret_sha256. */
  oauth_secret?: string;
  pat_sha256?: string;
  oauth_secret_sha256?: string;
  u2m_app_id?: string;
  /**
   * The JDBC URLs are not stored: they name the host and port pcsim serves on now (warehouseUrls).
   * States written before 2026-12 still hold them; nothing reads them.
   */
  warehouse?: { id: string; http_path: string };
  cluster?: { id: string };
  catalog_name?: string;
  destination_location?: string;
  /** active: in use or kept after a failure; deleted: cleaned up (tokens revoked). */
  status: 'active' | 'deleted';
  created_at: string;
  deleted_at?: string;
}

/** At most one per partner per workspace. */
export interface ConnectionRecord {
  workspace_id: Int64;
  partner_id: string;
  connection_id: string;
  created_by: Int64;
  created_at: string;
  resources_id: string;
}

export interface ChecklistTick {
  partner_id: string;
  journey_id: string;
  done: boolean;
  note?: string;
  at: string;
}

/** The workspace API's fields (src/workspace/types.ts) are optional: older state files still load. */
export interface State extends WorkspaceApiState {
  version: 1;
  workspaces: Workspace[];
  users: User[];
  partners: PartnerRecord[];
  connections: ConnectionRecord[];
  resources: Resources[];
  journal: Exchange[];
  /** How many of the oldest exchanges were dropped to keep the journal bounded. */
  journal_dropped: number;
  checklist: ChecklistTick[];
}

export const STATE_VERSION = 1 as const;

export function emptyState(): State {
  return {
    version: STATE_VERSION,
    workspaces: [],
    users: [],
    partners: [],
    connections: [],
    resources: [],
    journal: [],
    journal_dropped: 0,
    checklist: [],
  };
}
