/**
 * ExecuteStatement's parameters (a Databricks extension: TSparkParameter) as the SQL engine binds
 * them, as the REST API's: a marker's value as text, with its type; no value is NULL. Named ones fill
 * `:name` markers. Ordinal ones (sent without a name: a JDBC PreparedStatement's, @databricks/sql's
 * ordinalParameters) fill `?` markers in order: the engine's tokenizer reads those as `_1`, `_2`…
 */
import type { SqlParameter } from '../sql.js';
import type ttypes from './gen/TCLIService_types.cjs';

type SparkParameter = InstanceType<typeof ttypes.TSparkParameter>;

export type Bound = { parameters: SqlParameter[]; ordinal: boolean } | { error: string };

const valueOf = (p: SparkParameter): string | null => {
  const v = p.value;
  if (typeof v?.stringValue === 'string') return v.stringValue;
  if (typeof v?.doubleValue === 'number') return String(v.doubleValue);
  if (typeof v?.booleanValue === 'boolean') return v.booleanValue ? 'TRUE' : 'FALSE';
  return null;
};

export function bindParameters(list: readonly SparkParameter[] | null | undefined): Bound {
  const given = list ?? [];
  const named = given.filter((p) => p.name);
  if (named.length === given.length)
    return {
      parameters: named.map((p) => ({ name: p.name!, value: valueOf(p), type: p.type ?? undefined })),
      ordinal: false,
    };
  // Spark refuses the mix with this error condition (its ParametersSuite, "mixing of positional and named
  // parameters"; the parameter-markers reference: "You cannot mix named and unnamed parameter markers"),
  // SQLSTATE 42613 in its error-conditions.json.
  if (named.length > 0)
    return {
      error:
        '[INVALID_QUERY_MIXED_QUERY_PARAMETERS] Failed to bind the parameters: some are named and some are ordinal. Expected either named parameters (:name markers) or ordinal ones (? markers), not both. SQLSTATE: 42613',
    };
  // Ordinal: by `ordinal` (1-based) when the client sets it, else in the order sent.
  const ordered = given.map((p, i) => ({ p, at: typeof p.ordinal === 'number' && p.ordinal > 0 ? p.ordinal : i + 1 }));
  return {
    parameters: ordered.map(({ p, at }) => ({ name: `_${at}`, value: valueOf(p), type: p.type ?? undefined })),
    ordinal: true,
  };
}
