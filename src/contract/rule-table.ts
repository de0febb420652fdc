/**
 * Every rule pcsim judges a partner's answer by, with its severity and its source: an error is
 * what Databricks' suite (databrickslabs/partner-connect-api) or a "must" of the seed / API
 * specification fails; a warning is what the contract recommends. `pcsim run --strict` turns
 * warnings into failures. docs/CONFORMANCE.md is this table with the journeys and the mutant
 * that proves each rule bites; test/conformance checks both stay in step with the code.
 */
import type { Severity } from './diagnostics.js';

export interface RuleEntry {
  severity: Severity;
  /** Where the rule comes from: a seed line, an assertion of Databricks' suite, or the API specification. */
  source: string;
  means: string;
}

const SUITE = "Databricks' suite";
const SPEC = 'API specification';

export const RULE_TABLE: Record<string, RuleEntry> = {
  'http.status': {
    severity: 'error',
    source: `${SPEC} (responses of each API)`,
    means: 'The status code is one the contract allows for this API.',
  },
  'http.redirect': {
    severity: 'error',
    source: `${SUITE} (PartnerTestBase.executeRequest: a 3xx is no Connection)`,
    means: 'An API call is answered directly, never with a 3xx redirect.',
  },
  'http.content_type': {
    severity: 'error',
    source: `${SPEC} (openapi: application/json)`,
    means: 'JSON bodies are sent with Content-Type application/json.',
  },
  'http.body_too_large': {
    severity: 'error',
    source: `${SPEC} (a Connection is a small JSON object); pcsim reads at most 1 MB`,
    means: 'The answer fits in the body cap pcsim reads.',
  },
  'http.network': {
    severity: 'error',
    source: `${SUITE} (every call must answer within its timeout)`,
    means: 'The partner answers at all: no refused connection, reset, or timeout.',
  },
  'json.encoding': {
    severity: 'error',
    source: `${SPEC} (application/json, RFC 8259: UTF-8)`,
    means: 'The body is valid UTF-8.',
  },
  'json.syntax': {
    severity: 'error',
    source: `${SPEC} (application/json)`,
    means: 'The body is one complete, well-formed JSON value.',
  },
  'json.duplicate_key': {
    severity: 'error',
    source: `${SPEC} (one value per field; RFC 8259 §4)`,
    means: 'No object of the body has the same key twice.',
  },
  'connect.response.required': {
    severity: 'error',
    source: `${SUITE} (validateNewConnection / validateSignIn); ${SPEC} (Connection)`,
    means: 'Connection has every required field.',
  },
  'connect.response.enum': {
    severity: 'error',
    source: `${SUITE} (userStatuses, accountStatuses, redirect values); ${SPEC}`,
    means: 'redirect_value, user_status, account_status are among the contract values, lower case.',
  },
  'connect.response.type': {
    severity: 'error',
    source: `${SPEC} (Connection)`,
    means: 'Each Connection field has the contract type.',
  },
  'connect.connection_id.on_sign_in': {
    severity: 'error',
    source: `${SUITE} (validateSignIn: connection_id.isEmpty); ${SPEC} rule 1`,
    means: 'With is_connection_established true, connection_id is omitted.',
  },
  'connect.connection_id.required': {
    severity: 'error',
    source: `${SUITE} (validateNewConnection: connection_id nonEmpty); ${SPEC} rule 2`,
    means: 'With established false and configured_resources true, connection_id is present and non-empty.',
  },
  'connect.connection_id.unexpected': {
    severity: 'error',
    source: `${SPEC} rule 3 ("should be omitted")`,
    means: 'With established false and configured_resources false, connection_id is omitted.',
  },
  'connect.redirect_uri.scheme': {
    severity: 'error',
    source: `${SUITE} (validateRedirectUri opens it)`,
    means: 'redirect_uri is an absolute http(s) URL.',
  },
  'connect.redirect_uri.host': {
    severity: 'error',
    source: `${SUITE} (validateRedirectUri: host in hostnames); ${SPEC}`,
    means: 'The host of redirect_uri is one of the partner config hostnames.',
  },
  'connect.redirect_uri.open': {
    severity: 'error',
    source: `${SUITE} (validateRedirectUri: 2xx or 3xx)`,
    means: 'Opening redirect_uri answers 2xx or 3xx.',
  },
  'error.response.required': {
    severity: 'error',
    source: `${SUITE} (validateError: error_reason); ${SPEC} (ErrorResponse)`,
    means: 'Error answers carry an ErrorResponse with error_reason.',
  },
  'error.response.enum': {
    severity: 'error',
    source: `${SPEC} (ErrorResponse.error_reason)`,
    means: 'error_reason is one of the contract values.',
  },
  'error.response.type': {
    severity: 'error',
    source: `${SPEC} (ErrorResponse)`,
    means: 'Each ErrorResponse field has the contract type.',
  },
  'error.reason_status': {
    severity: 'error',
    source: `${SPEC} (the status of each error_reason)`,
    means:
      'error_reason matches the status: 400 bad_request, 401 unauthorized, 404 connection_not_found/account_not_found, 500 general_error.',
  },
  'delete_connection.response.required': {
    severity: 'error',
    source: `${SPEC} (DeleteConnectionResponse)`,
    means: 'delete-connection answers {resource_status}.',
  },
  'delete_connection.response.enum': {
    severity: 'error',
    source: `${SPEC} (resource_status)`,
    means: 'resource_status is one of the contract values.',
  },
  'delete_connection.response.type': {
    severity: 'error',
    source: `${SPEC} (DeleteConnectionResponse)`,
    means: 'delete-connection fields have the contract types.',
  },
  'test_connection.response.required': {
    severity: 'error',
    source: `${SPEC} (ConnectionTestResult)`,
    means: 'test-connection answers {test_results: [{test_name, status}]}.',
  },
  'test_connection.response.enum': {
    severity: 'error',
    source: `${SPEC} (TestResult.status)`,
    means: 'Each test result status is PASS, FAIL or UNKNOWN.',
  },
  'test_connection.response.type': {
    severity: 'error',
    source: `${SPEC} (ConnectionTestResult)`,
    means: 'test-connection fields have the contract types.',
  },
  'connectors.response.required': {
    severity: 'error',
    source: `${SPEC} (ConnectorResponse)`,
    means: 'connectors answers {connectors: [{identifier, name, type}]}.',
  },
  'connectors.response.enum': {
    severity: 'error',
    source: `${SPEC} (Connector.type)`,
    means: 'Each connector type is source or target.',
  },
  'connectors.response.type': {
    severity: 'error',
    source: `${SPEC} (ConnectorResponse)`,
    means: 'connectors fields have the contract types.',
  },
  // What the journeys expect of an answer (JOURNEYS.md "validate new" / "validate sign-in" and each journey's row).
  'journey.status': {
    severity: 'error',
    source: `${SUITE} (isSuccessStatus, validateError) and the seed's expectation of each journey`,
    means: 'The status the journey expects: 200/201 on a create, 200 on a sign-in, the error of the case.',
  },
  'journey.configured_resources': {
    severity: 'error',
    source: `${SUITE} (validateNewConnection: true; validateSignIn: false)`,
    means: 'configured_resources is true on a new connection, false on a sign-in.',
  },
  'journey.redirect_value': {
    severity: 'error',
    source: `${SUITE} (validateRedirectValue; P100 create_trial; P501 purchase_product; P302 per new_user_action); seed P700`,
    means: 'redirect_value is one the journey accepts.',
  },
  'journey.user_status': {
    severity: 'error',
    source: `${SUITE} (NewUserTests per new_user_action; DemoFlowTests new); seed P301`,
    means: 'user_status is the one the journey expects.',
  },
  'journey.account_status': {
    severity: 'error',
    source: `${SUITE} (DemoFlowTests new; P501 expired; P502 per trial_type, removed in PP-1987)`,
    means: 'account_status is the one the journey expects.',
  },
  'journey.error_reason': {
    severity: 'error',
    source: `${SUITE} (validateError); seed P402, P404 (connection_not_found)`,
    means: 'The error answer has the error_reason the journey expects.',
  },
  'journey.connection_id': {
    severity: 'error',
    source: `${SUITE} (validateNewConnection: present; validateSignIn: absent)`,
    means: 'A scenario step that expects connection_id present or absent gets it.',
  },
  'journey.display_message': {
    severity: 'error',
    source: 'seed P500 ("a meaningful error")',
    means: 'An error answer to a create after an expired trial has a display_message to show.',
  },
  'journey.connection_id.reused': {
    severity: 'error',
    source: 'seed P400 ("Partner must create a new Databricks connection")',
    means: 'A re-create after Databricks deleted its side gets a new connection_id.',
  },
  'journey.connection_id.shared': {
    severity: 'warning',
    source: `${SPEC} ("configure a new, separate connection")`,
    means: "A second workspace's connection does not reuse the first one's connection_id.",
  },
  'journey.recommended.user_status': {
    severity: 'warning',
    source: `${SPEC} (redirect scenarios: existing user, existing account)`,
    means: 'A user the partner knows is reported existing.',
  },
  'journey.recommended.account_status': {
    severity: 'warning',
    source: `${SPEC} (redirect scenarios: existing account is active)`,
    means: "The creator's account is reported active.",
  },
  'journey.recommended.redirect_value': {
    severity: 'warning',
    source: `${SPEC} (redirect scenarios: existing user, existing account: sign_in)`,
    means: 'The creator signing in again is sent to sign_in.',
  },
  'journey.test_results': {
    severity: 'error',
    source: 'seed P800 ("verify success")',
    means: 'test-connection on a live connection answers named PASS/FAIL results with a message.',
  },
  'journey.pagination': {
    severity: 'error',
    source: `${SPEC} (pagination_token until none)`,
    means: 'The connector list ends: the last page has no pagination_token.',
  },
  'journey.connectors': {
    severity: 'error',
    source: 'seed P900 ("returns valid response")',
    means: 'The connector list is not empty.',
  },
  'journey.core': {
    severity: 'error',
    source: 'seed P200, P201 (expectations when testing manually)',
    means: "The core integration works; tables follow the user's destination.",
  },
};

/** The severity a rule id has (undefined for an id outside the table: a bug the conformance test catches). */
export const severityOf = (rule: string): Severity | undefined => RULE_TABLE[rule]?.severity;
