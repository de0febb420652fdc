/**
 * The messages of the Partner Connect API (CONTRACT §3–4), one zod schema each: the single
 * source of the TypeScript types, of validation, and of the JSON Schema in the OpenAPI document
 * (GET /api/openapi.json).
 * Responses are `looseObject`: extra fields are the partner's business, not a violation.
 */
import { z } from 'zod';
import {
  ACCOUNT_STATUSES,
  CLOUDS,
  CONNECTION_SCOPES,
  CONNECTOR_TYPES,
  ERROR_REASONS,
  REDIRECT_VALUES,
  RESOURCE_STATUSES,
  TEST_RESULT_STATUSES,
  USER_STATUSES,
} from './enums.js';
import { nonEmpty, wireInt64 } from './schema-kit.js';

export const UserInfo = z.object({
  email: z.email(),
  first_name: z.string(),
  last_name: z.string(),
  databricks_user_id: wireInt64(),
  databricks_organization_id: wireInt64(),
  is_connection_established: z.boolean(),
  auth: z.object({ personal_access_token: z.string().nullable().optional() }).optional(),
});

export const ConnectRequest = z.looseObject({
  user_info: UserInfo,
  hostname: nonEmpty(),
  port: z.number().int().min(1).max(65535),
  workspace_url: nonEmpty(),
  workspace_id: wireInt64(),
  demo: z.boolean(),
  cloud_provider: z.enum(CLOUDS),
  cloud_provider_region: z.string().optional(),
  is_free_trial: z.boolean(),
  connection_id: z.string().optional(),
  http_path: z.string().optional(),
  jdbc_url: z.string().optional(),
  databricks_jdbc_url: z.string().optional(),
  cluster_id: z.string().optional(),
  is_sql_endpoint: z.boolean().optional(),
  is_sql_warehouse: z.boolean().optional(),
  destination_location: z.string().optional(),
  catalog_name: z.string().optional(),
  database_name: z.string().optional(),
  data_source_connector: z.string().optional(),
  service_principal_id: z.string().optional(),
  service_principal_oauth_secret: z.string().optional(),
  oauth_u2m_app_id: z.string().optional(),
  connection_scope: z.enum(CONNECTION_SCOPES).optional(),
});
export type ConnectRequest = z.output<typeof ConnectRequest>;

export const Connection = z.looseObject({
  redirect_uri: nonEmpty(),
  redirect_value: z.enum(REDIRECT_VALUES),
  user_status: z.enum(USER_STATUSES),
  account_status: z.enum(ACCOUNT_STATUSES),
  configured_resources: z.boolean(),
  connection_id: z.string().optional(),
  oauth_redirect_uri: z.string().optional(),
});
export type Connection = z.output<typeof Connection>;

export const ErrorResponse = z.looseObject({
  error_reason: z.enum(ERROR_REASONS),
  display_message: z.string().optional(),
  debugging_message: z.string().optional(),
});
export type ErrorResponse = z.output<typeof ErrorResponse>;

export const DeleteConnectionRequest = z.looseObject({
  connection_id: nonEmpty(),
  cloud_provider: z.enum(CLOUDS),
  databricks_organization_id: wireInt64(),
});
export const DeleteConnectionResponse = z.looseObject({ resource_status: z.enum(RESOURCE_STATUSES) });

export const DeleteAccountRequest = z.looseObject({
  domain: nonEmpty(),
  cloud_provider: z.enum(CLOUDS),
  databricks_organization_id: wireInt64(),
});

export const ExpireAccountRequest = z.looseObject({
  email: z.email(),
  databricks_user_id: wireInt64(),
  cloud_provider: z.enum(CLOUDS),
  databricks_organization_id: wireInt64(),
});

export const TestConnectionRequest = z.looseObject({
  connection_id: nonEmpty(),
  cloud_provider: z.enum(CLOUDS).optional(),
  databricks_organization_id: wireInt64().optional(),
});
export const TestResult = z.looseObject({
  test_name: nonEmpty(),
  status: z.enum(TEST_RESULT_STATUSES),
  message: z.string().optional(),
});
export const TestConnectionResponse = z.looseObject({ test_results: z.array(TestResult) });

export const Connector = z.looseObject({
  identifier: nonEmpty(),
  name: nonEmpty(),
  type: z.enum(CONNECTOR_TYPES),
  description: z.string().optional(),
});
export const ConnectorsResponse = z.looseObject({
  connectors: z.array(Connector),
  pagination_token: z.string().nullable().optional(),
});
