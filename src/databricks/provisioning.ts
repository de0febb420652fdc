/**
 * What Databricks provisions for a partner before the first Connect call (CONTRACT §3, §8):
 * a service principal, a PAT or OAuth credentials per auth_options, and a SQL warehouse or an
 * interactive cluster per resources_to_provision. Pure apart from randomness.
 */
import { randomUUID } from 'node:crypto';
import { randomHex } from '../contract/random.js';
import { authOptionsOf, type PartnerConfig } from '../contract/partner-config.js';
import type { Resources, Workspace } from './model.js';

export interface ProvisionInput {
  workspace: Workspace;
  partnerId: string;
  config: PartnerConfig;
  /** PAT_TOKEN from the environment, as the official suite sends it; else a fresh one. */
  patToken?: string;
  catalog_name?: string;
  destination_location?: string;
  now: Date;
}

const hex = randomHex;

/**
 * The JDBC URLs of a SQL warehouse, for the workspace's host and port as they are now: pcsim
 * may serve on another port after a restart, where Databricks' hosts never change, so a stored
 * URL would point a reused connection at a port nobody listens on. A partner configuration's
 * test_workspace_detail overrides them, as it does the host and port.
 */
export function warehouseUrls(
  workspace: Pick<Workspace, 'hostname' | 'port'>,
  detail: NonNullable<PartnerConfig['test_workspace_detail']>,
  http_path: string,
): { jdbc_url: string; databricks_jdbc_url: string } {
  const at = `${detail.hostname ?? workspace.hostname}:${detail.port ?? workspace.port}`;
  const rest = `/default;transportMode=http;ssl=1;AuthMech=3;httpPath=${http_path};`;
  return {
    jdbc_url: detail.jdbc_url ?? `jdbc:spark://${at}${rest}`,
    databricks_jdbc_url: detail.databricks_jdbc_url ?? `jdbc:databricks://${at}${rest}`,
  };
}

export function provision(input: ProvisionInput): Resources {
  const { workspace, config } = input;
  const auth = authOptionsOf(config);
  const kinds = new Set(config.resources_to_provision.map((r) => r.resource_type));
  const detail = config.test_workspace_detail ?? {};
  const res: Resources = {
    id: `res-${hex(6)}`,
    workspace_id: workspace.id,
    partner_id: input.partnerId,
    service_principal_id: randomUUID(),
    status: 'active',
    created_at: input.now.toISOString(),
  };
  if (auth.includes('AUTH_PAT')) res.pat = input.patToken ?? `dapi${hex(16)}`;
  if (auth.includes('AUTH_OAUTH_M2M')) res.oauth_secret = `dose${hex(16)}`;
  if (auth.includes('AUTH_OAUTH_U2M')) res.u2m_app_id = randomUUID();
  if (kinds.has('SqlEndpoint')) {
    const id = detail.cluster_id ?? hex(8);
    const http_path = detail.http_path ?? `/sql/1.0/warehouses/${id}`;
    res.warehouse = { id, http_path };
  } else if (kinds.has('InteractiveCluster')) {
    res.cluster = { id: detail.cluster_id ?? `${hex(2)}${hex(2)}-${hex(3)}-${hex(4)}`.slice(0, 20) };
  }
  if (input.catalog_name) res.catalog_name = input.catalog_name;
  if (input.destination_location) res.destination_location = input.destination_location;
  return res;
}
