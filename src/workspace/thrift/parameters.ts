/**
 * ExecuteStatement's parameters (a Databricks extension: TSparkParameter) as the SQL engine binds
 * them, as the REST API's: a marker's value as text, with its type; no value is NULL. Named ones fill
 * `:name` markers. Ordinal ones (sent without a name: a JDBC PreparedStatement's, @databricks/sql's
 * ordinalParameters) fill `?` markers in order; those are renamed `:_1`, `:_2`… in the text the
 * engine runs, outside strings, quoted names and comments.
 */
import type { SqlParameter } from '../sql.js';
import type ttypes from './gen/TCLIService_types.cjs';

type SparkParameter = InstanceType<typeof ttypes.TSparkParameter>;

export type Bound = { sql: string; parameters: SqlParameter[] } | { error: string };

const valueOf = (p: SparkParameter): string | null => {
  const v = p.value;
  if (typeof v?.stringValue === 'string') return v.stringValue;
  if (typeof v?.doubleValue === 'number') return String(v.doubleValue);
  if (typeof v?.booleanValue === 'boolean') return v.booleanValue ? 'TRUE' : 'FALSE';
  return null;
};

export function bindParameters(statement: string, list: readonly SparkParameter[] | null | undefined): Bound {
  const given = list ?? [];
  const named = given.filter((p) => p.name);
  if (named.length === given.length)
    return {
      sql: statement,
      parameters: named.map((p) => ({ name: p.name!, value: valueOf(p), type: p.type ?? undefined })),
    };
  if (named.length > 0)
    return {
      error:
        '[INVALID_PARAMETER_MARKER_VALUE] Failed to bind the parameters: some are named and some are ordinal. Expected either named parameters (:name markers) or ordinal ones (? markers), not both. SQLSTATE: 22023',
    };
  // Ordinal: by `ordinal` (1-based) when the client sets it, else in the order sent.
  const ordered = given.map((p, i) => ({ p, at: typeof p.ordinal === 'number' && p.ordinal > 0 ? p.ordinal : i + 1 }));
  return {
    sql: numberMarkers(statement),
    parameters: ordered.map(({ p, at }) => ({ name: `_${at}`, value: valueOf(p), type: p.type ?? undefined })),
  };
}

/** `?` markers as `:_1`, `:_2`…, skipping strings ('…', "…"), quoted names (`…`) and comments. */
export function numberMarkers(sql: string): string {
  let out = '';
  let n = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' && c !== '`' ? 2 : 1;
      out += sql.slice(i, j + 1);
      i = j;
    } else if (c === '-' && sql[i + 1] === '-') {
      const j = sql.indexOf('\n', i);
      const end = j < 0 ? sql.length : j;
      out += sql.slice(i, end);
      i = end - 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const j = sql.indexOf('*/', i + 2);
      const end = j < 0 ? sql.length : j + 2;
      out += sql.slice(i, end);
      i = end - 1;
    } else if (c === '?') out += `:_${++n}`;
    else out += c;
  }
  return out;
}
