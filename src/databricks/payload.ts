/**
 * Where a Connect payload is built: what Databricks sends for a click on a partner tile
 * (CONTRACT §3), from its own state. Pure. int64 ids become bigint here, so they reach the wire
 * as exact JSON integers.
 */
import { toWire } from '../contract/int64.js';
import type { PartnerConfig } from '../contract/partner-config.js';
import type { ConnectionRecord, Resources, User, Workspace } from './model.js';
import { warehouseUrls } from './provisioning.js';

export interface ConnectPayloadInput {
  workspace: Workspace;
  user: User;
  config: PartnerConfig;
  resources: Resources;
  /** The connection Databricks holds for this partner in this workspace, if any. */
  connection?: ConnectionRecord;
  scheme: 'http' | 'https';
}

export function buildConnectRequest(input: ConnectPayloadInput): Record<string, unknown> {
  const { workspace, user, config, resources, connection } = input;
  const detail = config.test_workspace_detail ?? {};
  const established = connection !== undefined;
  const hostname = detail.hostname ?? workspace.hostname;
  const port = detail.port ?? workspace.port;
  const defaultPort = (input.scheme === 'https' && port === 443) || (input.scheme === 'http' && port === 80);
  const userInfo: Record<string, unknown> = {
    email: user.email,
    first_name: user.first_name,
    last_name: user.last_name,
    databricks_user_id: toWire(user.id),
    databricks_organization_id: toWire(workspace.id),
    is_connection_established: established,
  };
  // The PAT goes only with a new connection, and is null when the partner does not use PATs.
  if (!established) userInfo.auth = { personal_access_token: resources.pat ?? null };

  const body: Record<string, unknown> = {
    user_info: userInfo,
    hostname,
    port,
    workspace_url: `${input.scheme}://${hostname}${defaultPort ? '' : `:${port}`}/?o=${workspace.id}`,
    workspace_id: toWire(workspace.id),
    demo: workspace.demo,
    cloud_provider: workspace.cloud,
    cloud_provider_region: workspace.region,
    is_free_trial: workspace.is_free_trial,
  };
  if (established) body.connection_id = connection.connection_id;
  if (resources.warehouse) {
    Object.assign(body, {
      http_path: resources.warehouse.http_path,
      ...warehouseUrls(workspace, detail, resources.warehouse.http_path),
      cluster_id: resources.warehouse.id,
      is_sql_endpoint: true,
      is_sql_warehouse: true,
    });
  } else if (resources.cluster) {
    Object.assign(body, { cluster_id: resources.cluster.id, is_sql_endpoint: false, is_sql_warehouse: false });
  }
  if (resources.destination_location) body.destination_location = resources.destination_location;
  if (resources.catalog_name) body.catalog_name = resources.catalog_name;
  body.service_principal_id = resources.service_principal_id;
  if (resources.oauth_secret && !established) body.service_principal_oauth_secret = resources.oauth_secret;
  if (resources.u2m_app_id) body.oauth_u2m_app_id = resources.u2m_app_id;
  return body;
}

/** The body of the other calls Databricks makes (CONTRACT §4). */
export const hookBodies = {
  deleteConnection: (workspace: Workspace, connectionId: string) => ({
    connection_id: connectionId,
    cloud_provider: workspace.cloud,
    databricks_organization_id: toWire(workspace.id),
  }),
  deleteAccount: (workspace: Workspace, domain: string) => ({
    domain,
    cloud_provider: workspace.cloud,
    databricks_organization_id: toWire(workspace.id),
  }),
  expireAccount: (workspace: Workspace, user: User) => ({
    email: user.email,
    databricks_user_id: toWire(user.id),
    cloud_provider: workspace.cloud,
    databricks_organization_id: toWire(workspace.id),
  }),
  testConnection: (workspace: Workspace, connectionId: string) => ({
    connection_id: connectionId,
    cloud_provider: workspace.cloud,
    databricks_organization_id: toWire(workspace.id),
  }),
};
