/**
 * What the simulated workspace keeps in State (all optional fields of State, so older state files
 * still load): signing keys, what partners did (activity), the tables and notebooks they created,
 * and the OAuth redirect URIs registered on first use.
 */
import type { Int64 } from '../contract/int64.js';

/** One RSA key per workspace: tokens are signed with it, GET /oidc/v1/keys publishes the public half. */
export interface WorkspaceKey {
  workspace_id: Int64;
  kid: string;
  private_pem: string;
  public_jwk: Record<string, unknown>;
  created_at: string;
}

export type ActivityKind = 'auth' | 'read' | 'query' | 'write' | 'notebook';
export type AuthMethod = 'pat' | 'oauth_m2m' | 'oauth_u2m';

/** One call of a partner into the workspace. Never holds an Authorization value, secret or token. */
export interface Activity {
  id: string;
  at: string;
  workspace_id: Int64;
  /** The resources (and so the connection) whose credentials were used; absent when none matched. */
  resources_id?: string;
  partner_id?: string;
  method: string;
  path: string;
  /** HTTP status answered. */
  status: number;
  kind: ActivityKind;
  auth?: AuthMethod;
  /** The call did what was asked (2xx, and for SQL: the statement SUCCEEDED). */
  ok: boolean;
  /** SQL text (cut to 500 characters) or the notebook path. */
  detail?: string;
  /** SQL: the catalogs the statement used (those it names, else its default catalog). */
  catalogs?: string[];
  /** CREATE TABLE: the table (catalog.schema.table), its LOCATION or managed. */
  table?: { name: string; location?: string; managed: boolean };
  error?: string;
}

export interface SqlTableRecord {
  workspace_id: Int64;
  /** catalog.schema.table, lower case. */
  name: string;
  columns: { name: string; type: string }[];
  location?: string;
  resources_id?: string;
  created_at: string;
}

export interface NotebookRecord {
  workspace_id: Int64;
  path: string;
  object_id: string;
  language: string;
  format: string;
  bytes: number;
  sha256: string;
  resources_id?: string;
  created_at: string;
}

/** A U2M redirect_uri registered on first use (see docs/decisions/0004-workspace-api.md). */
export interface U2mRedirect {
  u2m_app_id: string;
  redirect_uri: string;
  registered_at: string;
}

/**
 * A token made with POST /api/2.0/token/create, or a tombstone for the Connect PAT once deleted
 * with POST /api/2.0/token/delete. Only the digest of the secret is kept.
 */
export interface ApiTokenRecord {
  token_id: string;
  workspace_id: Int64;
  /** The connection's resources whose service principal owns the token. */
  resources_id: string;
  /** Made by a user signed in with OAuth U2M: the token acts as that user. */
  user_id?: Int64;
  token_sha256: string;
  comment?: string;
  /** Epoch milliseconds. */
  creation_time: number;
  /** Epoch milliseconds; -1: never expires. */
  expiry_time: number;
  /** The Connect PAT, deleted through the token API: refused from then on. */
  revoked?: boolean;
}

export interface WorkspaceApiState {
  workspace_keys?: WorkspaceKey[];
  activity?: Activity[];
  sql_tables?: SqlTableRecord[];
  notebooks?: NotebookRecord[];
  u2m_redirects?: U2mRedirect[];
  api_tokens?: ApiTokenRecord[];
}
