/**
 * Errors as Databricks SQL reports them: `[ERROR_CLASS] message SQLSTATE: xxxxx`, with the REST
 * error_code of the Statement Execution API. The engine's own messages never show through: what
 * is not mapped here becomes a generic INTERNAL_ERROR naming no engine.
 */
export class SqlError extends Error {
  constructor(
    readonly error_code: string,
    readonly errorClass: string,
    readonly sql_state: string,
    text: string,
  ) {
    super(`[${errorClass}] ${text} SQLSTATE: ${sql_state}`);
  }
}

const bad = (cls: string, state: string, text: string) => new SqlError('BAD_REQUEST', cls, state, text);
const q = (name: string) =>
  name
    .split('.')
    .map((p) => `\`${p}\``)
    .join('.');

export const parseError = (near: string, why?: string) =>
  bad('PARSE_SYNTAX_ERROR', '42601', `Syntax error at or near '${near}'${why ? `: ${why}` : ''}.`);
export const emptyStatement = () => bad('PARSE_EMPTY_STATEMENT', '42617', 'Syntax error, unexpected empty statement.');
export const tableNotFound = (name: string) =>
  bad(
    'TABLE_OR_VIEW_NOT_FOUND',
    '42P01',
    `The table or view ${q(name)} cannot be found. Verify the spelling and correctness of the schema and catalog.`,
  );
export const tableExists = (name: string) =>
  bad('TABLE_OR_VIEW_ALREADY_EXISTS', '42P07', `Cannot create table or view ${q(name)} because it already exists.`);
export const fieldAlreadyExists = (column: string, table: string) =>
  bad('FIELD_ALREADY_EXISTS', '42710', `Cannot add column, because ${q(column)} already exists in ${q(table)}.`);
export const schemaNotFound = (name: string) =>
  bad(
    'SCHEMA_NOT_FOUND',
    '42704',
    `The schema ${q(name)} cannot be found. Verify the spelling and correctness of the schema and catalog.`,
  );
export const schemaExists = (name: string) =>
  bad('SCHEMA_ALREADY_EXISTS', '42P06', `Cannot create schema ${q(name)} because it already exists.`);
export const catalogNotFound = (name: string) =>
  bad(
    'NO_SUCH_CATALOG_EXCEPTION',
    '42704',
    `Catalog '${name}' was not found. Please verify the catalog name and then retry the query or command again.`,
  );
export const unresolvedRoutine = (name: string) =>
  bad(
    'UNRESOLVED_ROUTINE',
    '42883',
    `Cannot resolve routine ${q(name)} on search path [\`system\`.\`builtin\`, \`system\`.\`session\`].`,
  );
export const unresolvedColumn = (name: string) =>
  bad(
    'UNRESOLVED_COLUMN.WITHOUT_SUGGESTION',
    '42703',
    `A column, variable, or function parameter with name ${q(name)} cannot be resolved.`,
  );
export const unboundParameter = (name: string) =>
  bad(
    'UNBOUND_SQL_PARAMETER',
    '42P02',
    `Found the unbound parameter: ${name}. Please, fix \`args\` and provide a mapping of the parameter to either` +
      ' a SQL literal or collection constructor functions such as `map()`, `array()`, `struct()`.',
  );
export const readOnlyCatalog = (catalog: string) =>
  new SqlError(
    'BAD_REQUEST',
    'INSUFFICIENT_PERMISSIONS',
    '42501',
    `Insufficient privileges: catalog ${catalog} is read-only.`,
  );
/** An engine error as Databricks would report it; `name` turns engine names back into Databricks ones. */
export function fromEngine(err: unknown, name: (physical: string) => string): SqlError {
  // Not `instanceof Error`: errors of the native engine may come from another realm (Jest's VM).
  const raw = typeof err === 'object' && err !== null && 'message' in err ? String(err.message) : String(err);
  const msg = raw.replace(/^Error: /, '').split('\n')[0]!;
  let m = /Table with name "?([^"!\s]+)"? does not exist/.exec(msg) ?? /Table "?([^"!\s]+)"? does not exist/.exec(msg);
  if (m) return tableNotFound(name(m[1]!));
  if ((m = /Catalog "?([^"!\s]+)"? does not exist/.exec(msg))) return catalogNotFound(name(m[1]!));
  if ((m = /Schema with name "?([^"!\s]+)"? does not exist/.exec(msg))) return schemaNotFound(name(m[1]!));
  if ((m = /(?:Scalar|Table|Aggregate) Function with name "?([^"!\s]+)"? does not exist/.exec(msg)))
    return unresolvedRoutine(m[1]!);
  if ((m = /Referenced column "?([^"!\s]+)"? not found/.exec(msg))) return unresolvedColumn(m[1]!);
  if ((m = /syntax error at or near "([^"]*)"/.exec(msg))) return parseError(m[1]!);
  if (/syntax error at end of input/.test(msg)) return parseError('end of input');
  if (/^Conversion Error/.test(msg))
    return bad('CAST_INVALID_INPUT', '22018', 'A value cannot be cast to the target type.');
  if (/^Out of Range Error/.test(msg))
    return bad('ARITHMETIC_OVERFLOW', '22003', 'A value is out of the range of its type.');
  if (/Division by zero/i.test(msg)) return bad('DIVIDE_BY_ZERO', '22012', 'Division by zero.');
  if (/^Constraint Error/.test(msg))
    return bad('DELTA_NOT_NULL_CONSTRAINT_VIOLATED', '23502', 'A constraint of the table is violated.');
  if (
    /^Binder Error: Could not choose a best candidate function/.test(msg) ||
    /^Binder Error: No function matches/.test(msg)
  )
    return bad(
      'DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE',
      '42K09',
      'Cannot resolve the function call: its arguments have the wrong types.',
    );
  if (/^Permission Error/.test(msg))
    return bad(
      'INSUFFICIENT_PERMISSIONS',
      '42501',
      'The statement reaches outside the workspace (files, extensions or settings).',
    );
  if (/^(Binder|Catalog) Error/.test(msg))
    return bad(
      'INVALID_QUERY',
      '42000',
      'The statement refers to something that does not exist or cannot be used here.',
    );
  return new SqlError(
    'INTERNAL_ERROR',
    'INTERNAL_ERROR',
    'XX000',
    'The simulated warehouse could not run this statement.',
  );
}
