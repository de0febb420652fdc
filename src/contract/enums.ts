/** Every enum of the contract (CONTRACT.md), as const arrays and string unions. */
export const CATEGORIES = [
  'INGEST',
  'DATA_PREP_AND_TRANSFORM',
  'SECURITY_AND_GOVERNANCE',
  'BI_AND_VIZ',
  'ML',
  'DATA_QUALITY',
  'REVERSE_ETL',
  'SEMANTIC_LAYER',
  'DATA_GOVERNANCE',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const RESOURCE_TYPES = ['PAT', 'SqlEndpoint', 'DestLocation', 'InteractiveCluster'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const OBJECT_PERMISSION_NAMES = [
  'Token',
  'Password',
  'Cluster',
  'Pool',
  'Job',
  'DLT_Pipeline',
  'Notebook',
  'Directory',
  'MLflow_Experiment',
  'MLflow_Registered_Model',
  'SQL_Endpoint',
  'Repo',
] as const;
export const OBJECT_PERMISSION_LEVELS = [
  'CAN_MANAGE',
  'CAN_RESTART',
  'CAN_ATTACH_TO',
  'IS_OWNER',
  'CAN_MANAGE_RUN',
  'CAN_VIEW',
  'CAN_READ',
  'CAN_RUN',
  'CAN_EDIT',
  'CAN_USE',
  'CAN_MANAGE_STAGING_VERSIONS',
  'CAN_MANAGE_PRODUCTION_VERSIONS',
  'CAN_EDIT_METADATA',
  'CAN_VIEW_METADATA',
] as const;
export const DATA_PERMISSIONS = [
  'SELECT',
  'CREATE',
  'MODIFY',
  'USAGE',
  'READ_METADATA',
  'CREATE_NAMED_FUNCTION',
  'MODIFY_CLASSPATH',
  'ALL PRIVILEGES',
  'USE_CATALOG',
  'USE_SCHEMA',
  'CREATE_SCHEMA',
  'CREATE_TABLE',
] as const;

export const CLOUDS = ['aws', 'azure', 'gcp'] as const;
export type Cloud = (typeof CLOUDS)[number];

export const NEW_USER_ACTIONS = ['auto_add', 'invite', 'not_found', 'error'] as const;
export type NewUserAction = (typeof NEW_USER_ACTIONS)[number];

export const TRIAL_TYPES = ['user', 'account'] as const;
export type TrialType = (typeof TRIAL_TYPES)[number];

export const AUTH_OPTIONS = ['AUTH_PAT', 'AUTH_OAUTH_M2M', 'AUTH_OAUTH_U2M'] as const;
export type AuthOption = (typeof AUTH_OPTIONS)[number];

export const REDIRECT_VALUES = [
  'create_trial',
  'purchase_product',
  'sign_in',
  'contact_admin',
  'not_applicable',
] as const;
export type RedirectValue = (typeof REDIRECT_VALUES)[number];

export const USER_STATUSES = ['new', 'existing', 'not_applicable'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const ACCOUNT_STATUSES = ['new', 'active', 'expired', 'not_applicable'] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];

export const ERROR_REASONS = [
  'bad_request',
  'unauthorized',
  'connection_not_found',
  'account_not_found',
  'general_error',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export const RESOURCE_STATUSES = [
  'resources_deleted',
  'resources_pending_deletion',
  'deletion_acknowledged',
  'user_unauthorized',
] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

export const TEST_RESULT_STATUSES = ['PASS', 'FAIL', 'UNKNOWN'] as const;
export const CONNECTOR_TYPES = ['source', 'target'] as const;
export const CONNECTION_SCOPES = ['workspace', 'user'] as const;

/** Domains on which the test-only hooks (delete/expire account) may act (CONTRACT §4). */
export const TEST_DOMAINS = ['databricks-test.com', 'databricks-demo.com'] as const;
