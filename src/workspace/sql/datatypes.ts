/**
 * Types between Databricks SQL and the engine: Databricks' type names in DDL and casts become
 * engine types; result column types come back as Databricks prints them (type_text lower case,
 * `decimal(10,2)`; type_name upper case, LONG for bigint…), values as the JSON_ARRAY strings.
 */
import { parseError } from './errors.js';

/** Databricks-only type words and what the engine calls them. */
const TO_ENGINE: Record<string, string> = {
  LONG: 'BIGINT',
  SHORT: 'SMALLINT',
  BYTE: 'TINYINT',
  TIMESTAMP: 'TIMESTAMPTZ',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  STRING: 'VARCHAR',
  BINARY: 'BLOB',
  VOID: 'INTEGER',
  REAL: 'FLOAT',
};
export const engineTypeWord = (word: string): string | undefined => TO_ENGINE[word.toUpperCase()];

export interface DatabricksType {
  type_text: string;
  type_name: string;
  type_precision?: number;
  type_scale?: number;
}

const SIMPLE: Record<string, [string, string]> = {
  BOOLEAN: ['boolean', 'BOOLEAN'],
  TINYINT: ['tinyint', 'BYTE'],
  SMALLINT: ['smallint', 'SHORT'],
  INTEGER: ['int', 'INT'],
  BIGINT: ['bigint', 'LONG'],
  HUGEINT: ['decimal(38,0)', 'DECIMAL'],
  UTINYINT: ['smallint', 'SHORT'],
  USMALLINT: ['int', 'INT'],
  UINTEGER: ['bigint', 'LONG'],
  UBIGINT: ['decimal(20,0)', 'DECIMAL'],
  FLOAT: ['float', 'FLOAT'],
  DOUBLE: ['double', 'DOUBLE'],
  VARCHAR: ['string', 'STRING'],
  BLOB: ['binary', 'BINARY'],
  DATE: ['date', 'DATE'],
  TIMESTAMP: ['timestamp_ntz', 'TIMESTAMP_NTZ'],
  'TIMESTAMP WITH TIME ZONE': ['timestamp', 'TIMESTAMP'],
  TIMESTAMP_S: ['timestamp_ntz', 'TIMESTAMP_NTZ'],
  TIMESTAMP_MS: ['timestamp_ntz', 'TIMESTAMP_NTZ'],
  TIMESTAMP_NS: ['timestamp_ntz', 'TIMESTAMP_NTZ'],
  INTERVAL: ['interval', 'INTERVAL'],
  '"NULL"': ['void', 'NULL'],
  NULL: ['void', 'NULL'],
  UUID: ['string', 'STRING'],
};

/** The engine's type (as its toString prints it) as Databricks prints it. */
export function databricksType(engine: string): DatabricksType {
  const t = engine.trim();
  const simple = SIMPLE[t.toUpperCase()];
  if (simple) return { type_text: simple[0], type_name: simple[1] };
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(t);
  if (dec)
    return {
      type_text: `decimal(${dec[1]},${dec[2]})`,
      type_name: 'DECIMAL',
      type_precision: Number(dec[1]),
      type_scale: Number(dec[2]),
    };
  if (/\[\]$/.test(t)) return { type_text: `array<${databricksType(t.slice(0, -2)).type_text}>`, type_name: 'ARRAY' };
  const map = /^MAP\((.*)\)$/i.exec(t);
  if (map) {
    const [k, v] = splitTop(map[1]!);
    return {
      type_text: `map<${databricksType(k ?? '').type_text},${databricksType(v ?? '').type_text}>`,
      type_name: 'MAP',
    };
  }
  const struct = /^STRUCT\((.*)\)$/i.exec(t);
  if (struct) {
    const fields = splitTop(struct[1]!).map((f) => {
      const m = /^"?([^"\s]+)"?\s+(.*)$/.exec(f.trim());
      return m ? `${m[1]}:${databricksType(m[2]!).type_text}` : f;
    });
    return { type_text: `struct<${fields.join(',')}>`, type_name: 'STRUCT' };
  }
  return { type_text: 'string', type_name: 'STRING' };
}

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** A value of the engine's JSON-friendly row as the Statement Execution API's JSON_ARRAY string. */
export function render(v: unknown, type: DatabricksType): string | null {
  if (v === null || v === undefined) return null;
  if (type.type_name === 'TIMESTAMP' || type.type_name === 'TIMESTAMP_NTZ') {
    const s = String(v).replace(' ', 'T');
    const iso = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(.*)$/.exec(s);
    if (iso)
      return `${iso[1]}${(iso[2] ?? '.000').padEnd(4, '0').slice(0, 4)}${type.type_name === 'TIMESTAMP' ? 'Z' : ''}`;
    return s;
  }
  // A map prints as a JSON object, as Databricks' JSON_ARRAY does (the engine gives key/value entries).
  if (type.type_name === 'MAP' && Array.isArray(v))
    return JSON.stringify(Object.fromEntries(v.map((e: { key: unknown; value: unknown }) => [String(e.key), e.value])));
  if (typeof v === 'object') return JSON.stringify(v);
  // Doubles print as Java prints them (8.0, not 8), as Databricks' JSON_ARRAY does.
  if ((type.type_name === 'DOUBLE' || type.type_name === 'FLOAT') && typeof v === 'number' && Number.isInteger(v))
    return v.toFixed(1);
  return String(v);
}

/** A declared Databricks column type as the engine's: ARRAY<INT> → INTEGER[], STRUCT<a:INT> → STRUCT(a INTEGER). */
export function engineDdlType(type: string): string {
  const t = type.trim().toUpperCase();
  const arr = /^ARRAY<(.*)>$/.exec(t);
  if (arr) return `${engineDdlType(arr[1]!)}[]`;
  const map = /^MAP<(.*)>$/.exec(t);
  if (map) {
    const [k, v] = splitDeclared(map[1]!);
    return `MAP(${engineDdlType(k!)}, ${engineDdlType(v!)})`;
  }
  const st = /^STRUCT<(.*)>$/.exec(t);
  if (st)
    return `STRUCT(${splitDeclared(st[1]!)
      .map((f) => {
        const [n, ...ty] = f.split(':');
        return `"${n!.trim().toLowerCase()}" ${engineDdlType(ty.join(':'))}`;
      })
      .join(', ')})`;
  const word = /^[A-Z_]+/.exec(t)?.[0];
  if (!word || !/^[A-Z_]+(\(\d+(,\d+)?\))?$/.test(t)) throw parseError(type, 'unknown data type');
  return `${engineTypeWord(word) ?? word}${t.slice(word.length)}`;
}

/** A declared type's parts at its top-level commas (inside <> and ()). */
function splitDeclared(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '<' || ch === '(') depth++;
    if (ch === '>' || ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
