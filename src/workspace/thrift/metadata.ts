/**
 * The catalog calls of the SQL drivers (GetCatalogs/Schemas/Tables/Columns/TypeInfo, GetInfo) as
 * result sets, with the JDBC column names HiveServer2 and Databricks answer with (java.sql
 * DatabaseMetaData). Pure: built from the workspace's catalogs and the tables the engine knows.
 */
import type { TableInfo } from './sql-adapter.js';

export type Cell = string | number | boolean | null;

/** A result set: column types are Databricks type names (INT, STRING, DECIMAL(10,2)…). */
export interface ResultSet {
  columns: { name: string; type: string }[];
  rows: Cell[][];
}

const cols = (spec: string) =>
  spec.split(' ').map((s) => ({ name: s.split(':')[0]!, type: s.split(':')[1] ?? 'STRING' }));

/** A JDBC search pattern (`%`, `_`, `\` escapes; Databricks also takes `*`) as a case-insensitive test. */
export function patternTest(pattern: string | null | undefined): (name: string) => boolean {
  if (pattern === undefined || pattern === null || pattern === '' || pattern === '%' || pattern === '*')
    return () => true;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%' || ch === '*') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`, 'i');
  return (name) => rx.test(name);
}

const split = (t: TableInfo) => t.name.split('.') as [string, string, string];

export function catalogsResult(catalogs: readonly string[]): ResultSet {
  return { columns: cols('TABLE_CAT'), rows: [...new Set(catalogs)].map((c) => [c]) };
}

export function schemasResult(
  schemas: readonly { catalog: string; name: string }[],
  catalog?: string | null,
  schema?: string | null,
): ResultSet {
  const inCatalog = patternTest(catalog);
  const named = patternTest(schema);
  const rows = schemas
    .filter((s) => inCatalog(s.catalog) && named(s.name))
    .sort((a, b) => a.catalog.localeCompare(b.catalog) || a.name.localeCompare(b.name))
    .map((s) => [s.name, s.catalog]);
  return { columns: cols('TABLE_SCHEM TABLE_CATALOG'), rows };
}

export function tablesResult(
  tables: readonly TableInfo[],
  f: { catalog?: string | null; schema?: string | null; table?: string | null; types?: string[] | null },
): ResultSet {
  const [c, s, n] = [patternTest(f.catalog), patternTest(f.schema), patternTest(f.table)];
  const wanted = f.types && f.types.length > 0 ? new Set(f.types.map((t) => t.toUpperCase())) : undefined;
  const rows = tables
    .map(split)
    .filter(([tc, ts, tn]) => c(tc) && s(ts) && n(tn) && (!wanted || wanted.has('TABLE')))
    .sort((a, b) => a.join('.').localeCompare(b.join('.')))
    .map(([tc, ts, tn]) => [tc, ts, tn, 'TABLE', '', null, null, null, null, null]);
  return {
    columns: cols(
      'TABLE_CAT TABLE_SCHEM TABLE_NAME TABLE_TYPE REMARKS TYPE_CAT TYPE_SCHEM TYPE_NAME SELF_REFERENCING_COL_NAME REF_GENERATION',
    ),
    rows,
  };
}

/** java.sql.Types codes of Databricks types. */
const JDBC_TYPES: Record<string, number> = {
  BOOLEAN: 16,
  TINYINT: -6,
  BYTE: -6,
  SMALLINT: 5,
  SHORT: 5,
  INT: 4,
  INTEGER: 4,
  BIGINT: -5,
  LONG: -5,
  FLOAT: 6,
  REAL: 6,
  DOUBLE: 8,
  DECIMAL: 3,
  DEC: 3,
  NUMERIC: 3,
  STRING: 12,
  VARCHAR: 12,
  CHAR: 1,
  BINARY: -2,
  DATE: 91,
  TIMESTAMP: 93,
  TIMESTAMP_NTZ: 93,
  ARRAY: 2003,
  MAP: 2000,
  STRUCT: 2002,
  INTERVAL: 12,
  VOID: 0,
};

export const baseType = (type: string) => type.toUpperCase().replace(/[(<\s].*$/, '');

const INT_RANGE: Record<string, number> = {
  TINYINT: 2 ** 7,
  BYTE: 2 ** 7,
  SMALLINT: 2 ** 15,
  SHORT: 2 ** 15,
  INT: 2 ** 31,
  INTEGER: 2 ** 31,
};

/**
 * Column types a Thrift client can decode: an engine's NUMBER is a DOUBLE, and an integer column
 * holding a value past its type's range travels as BIGINT rather than wrapping around.
 */
export function settleTypes(rs: ResultSet): ResultSet {
  const columns = rs.columns.map((c, i) => {
    const base = baseType(c.type);
    if (base === 'NUMBER') return { ...c, type: 'DOUBLE' };
    const limit = INT_RANGE[base];
    if (limit && rs.rows.some((r) => r[i] !== null && r[i] !== undefined && Math.abs(Number(r[i])) >= limit))
      return { ...c, type: 'BIGINT' };
    return c;
  });
  return { columns, rows: rs.rows };
}
export const jdbcType = (type: string) => JDBC_TYPES[baseType(type)] ?? 1111;

const SIZES: Record<string, number> = {
  BOOLEAN: 1,
  TINYINT: 3,
  SMALLINT: 5,
  INT: 10,
  BIGINT: 19,
  FLOAT: 7,
  DOUBLE: 15,
  DATE: 10,
  TIMESTAMP: 29,
};

export function columnsResult(
  tables: readonly TableInfo[],
  f: { catalog?: string | null; schema?: string | null; table?: string | null; column?: string | null },
): ResultSet {
  const [c, s, n, col] = [patternTest(f.catalog), patternTest(f.schema), patternTest(f.table), patternTest(f.column)];
  const rows: Cell[][] = [];
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) {
    const [tc, ts, tn] = split(t);
    if (!(c(tc) && s(ts) && n(tn))) continue;
    t.columns.forEach((x, i) => {
      if (!col(x.name)) return;
      const base = baseType(x.type);
      const dec = /^DECIMAL\((\d+)\s*,\s*(\d+)\)/i.exec(x.type);
      const size = dec ? Number(dec[1]) : (SIZES[base] ?? 2147483647);
      const digits = dec ? Number(dec[2]) : base === 'FLOAT' || base === 'DOUBLE' ? null : base in SIZES ? 0 : null;
      rows.push([
        tc,
        ts,
        tn,
        x.name,
        jdbcType(x.type),
        x.type.toUpperCase(),
        size,
        null,
        digits,
        10,
        1,
        '',
        null,
        null,
        null,
        null,
        i + 1,
        'YES',
        null,
        null,
        null,
        null,
        'NO',
      ]);
    });
  }
  const spec =
    'TABLE_CAT TABLE_SCHEM TABLE_NAME COLUMN_NAME DATA_TYPE:INT TYPE_NAME COLUMN_SIZE:INT BUFFER_LENGTH:TINYINT ' +
    'DECIMAL_DIGITS:INT NUM_PREC_RADIX:INT NULLABLE:INT REMARKS COLUMN_DEF SQL_DATA_TYPE:INT SQL_DATETIME_SUB:INT ' +
    'CHAR_OCTET_LENGTH:INT ORDINAL_POSITION:INT IS_NULLABLE SCOPE_CATALOG SCOPE_SCHEMA SCOPE_TABLE SOURCE_DATA_TYPE:SMALLINT IS_AUTO_INCREMENT';
  return { columns: cols(spec), rows };
}

const TYPE_INFO = [
  'VOID',
  'BOOLEAN',
  'TINYINT',
  'SMALLINT',
  'INT',
  'BIGINT',
  'FLOAT',
  'DOUBLE',
  'STRING',
  'CHAR',
  'VARCHAR',
  'DATE',
  'TIMESTAMP',
  'TIMESTAMP_NTZ',
  'BINARY',
  'DECIMAL',
  'ARRAY',
  'MAP',
  'STRUCT',
  'INTERVAL',
];

export function typeInfoResult(): ResultSet {
  const numeric = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL']);
  const rows = TYPE_INFO.map((t) => {
    const quoted = ['STRING', 'CHAR', 'VARCHAR', 'DATE', 'TIMESTAMP', 'TIMESTAMP_NTZ', 'BINARY'].includes(t);
    return [
      t,
      jdbcType(t),
      SIZES[t] ?? (t === 'DECIMAL' ? 38 : null),
      quoted ? "'" : null,
      quoted ? "'" : null,
      t === 'DECIMAL' ? 'PRECISION,SCALE' : null,
      1,
      quoted,
      3,
      !numeric.has(t),
      false,
      false,
      null,
      0,
      t === 'DECIMAL' ? 38 : 0,
      null,
      null,
      numeric.has(t) ? 10 : null,
    ];
  });
  const spec =
    'TYPE_NAME DATA_TYPE:INT PRECISION:INT LITERAL_PREFIX LITERAL_SUFFIX CREATE_PARAMS NULLABLE:SMALLINT CASE_SENSITIVE:BOOLEAN ' +
    'SEARCHABLE:SMALLINT UNSIGNED_ATTRIBUTE:BOOLEAN FIXED_PREC_SCALE:BOOLEAN AUTO_INCREMENT:BOOLEAN LOCAL_TYPE_NAME MINIMUM_SCALE:SMALLINT ' +
    'MAXIMUM_SCALE:SMALLINT SQL_DATA_TYPE:INT SQL_DATETIME_SUB:INT NUM_PREC_RADIX:INT';
  return { columns: cols(spec), rows };
}

export function tableTypesResult(): ResultSet {
  return { columns: cols('TABLE_TYPE'), rows: [['TABLE'], ['VIEW']] };
}

/** What a Databricks SQL warehouse answers for the TGetInfoType values (numbers of Hive's IDL) drivers ask. */
export function infoValue(infoType: number, version: string): string | number | undefined {
  const values: Record<number, string | number> = {
    0: 0, // CLI_MAX_DRIVER_CONNECTIONS
    1: 0, // CLI_MAX_CONCURRENT_ACTIVITIES
    13: `pcsim ${version} (simulated Databricks SQL warehouse)`, // CLI_SERVER_NAME
    14: '\\', // CLI_SEARCH_PATTERN_ESCAPE
    17: 'Spark SQL', // CLI_DBMS_NAME
    18: '3.5.0', // CLI_DBMS_VER
    29: '`', // CLI_IDENTIFIER_QUOTE_CHAR
  };
  return values[infoType];
}
