/**
 * One workspace's engine state and its metadata, read from DuckDB's information_schema in
 * Databricks' terms (catalogs by their Databricks names, the engine's own `main` schema hidden).
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { databricksType } from './datatypes.js';
import { physicalCatalog, quoteIdent, quoteString, type DialectContext } from './dialect.js';
import * as E from './errors.js';
import type { ColumnInfo, TableInfo } from './types.js';

export interface Workspace {
  conn: DuckDBConnection;
  attached: Set<string>;
  /** catalog.schema.table → LOCATION (external tables) and the declared Databricks column types. */
  tables: Map<string, { location?: string; declared?: { name: string; type: string }[] }>;
  queue: Promise<unknown>;
  /** The connection's current catalog.schema (USE is skipped when a statement keeps it). */
  current?: string;
  /** Queries prepared on the connection, by current catalog.schema and text (duckdb-engine.ts). */
  prepared?: Map<string, DuckDBPreparedStatement>;
}

export async function attach(ws: Workspace, catalog: string): Promise<void> {
  if (ws.attached.has(catalog)) return;
  await ws.conn.run(`ATTACH ':memory:' AS ${quoteIdent(physicalCatalog(catalog))}`);
  await ws.conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(physicalCatalog(catalog))}."default"`);
  ws.attached.add(catalog);
}

export function physical(parts: string[]): string {
  return [physicalCatalog(parts[0]!), ...parts.slice(1)].map(quoteIdent).join('.');
}

export async function use(ws: Workspace, ctx: DialectContext): Promise<void> {
  const target = `${ctx.catalog}.${ctx.schema}`;
  if (ws.current === target) return;
  ws.current = undefined;
  try {
    await ws.conn.run(`USE ${quoteIdent(physicalCatalog(ctx.catalog))}.${quoteIdent(ctx.schema)}`);
  } catch {
    throw E.schemaNotFound(target);
  }
  ws.current = target;
}

export async function schemaList(ws: Workspace, catalog: string): Promise<string[]> {
  const r = await ws.conn.runAndReadAll(
    'SELECT schema_name FROM information_schema.schemata' +
      ` WHERE catalog_name = ${quoteString(physicalCatalog(catalog))}` +
      " AND schema_name NOT IN ('main', 'pg_catalog', 'information_schema') ORDER BY schema_name",
  );
  const names = (r.getRowsJson() as string[][]).map((x) => x[0]!);
  return catalog === 'hive_metastore' || catalog === 'samples' ? names : [...names, 'information_schema'].sort();
}

export async function schemaExists(ws: Workspace, catalog: string, schema: string): Promise<boolean> {
  return (await schemaList(ws, catalog)).includes(schema);
}

export async function tableList(ws: Workspace, catalog: string, schema?: string): Promise<TableInfo[]> {
  const inSchema = schema === undefined ? '' : ` AND table_schema = ${quoteString(schema)}`;
  const phys = quoteString(physicalCatalog(catalog));
  const where = `table_catalog = ${phys} AND table_schema NOT IN ('main', 'pg_catalog')`;
  const r = await ws.conn.runAndReadAll(
    `SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE ${where}${inSchema}` +
      ' ORDER BY table_schema, table_name',
  );
  const out: TableInfo[] = [];
  for (const [s, name, type] of r.getRowsJson() as string[][]) {
    const meta = ws.tables.get(`${catalog}.${s}.${name}`);
    const columns = (await columnList(ws, catalog, s!, name!)) ?? [];
    out.push({
      catalog,
      schema: s!,
      name: name!,
      table_type: type === 'VIEW' ? 'VIEW' : meta?.location ? 'EXTERNAL' : 'MANAGED',
      location: meta?.location,
      columns,
    });
  }
  return out;
}

export async function columnList(
  ws: Workspace,
  catalog: string,
  schema: string,
  table: string,
): Promise<ColumnInfo[] | undefined> {
  const r = await ws.conn.runAndReadAll(
    'SELECT column_name, data_type, is_nullable FROM information_schema.columns' +
      ` WHERE table_catalog = ${quoteString(physicalCatalog(catalog))} AND table_schema = ${quoteString(schema)}` +
      ` AND table_name = ${quoteString(table)} ORDER BY ordinal_position`,
  );
  const rows = r.getRowsJson() as string[][];
  if (rows.length === 0) return undefined;
  return rows.map(([name, type, nullable], position) => ({
    name: name!,
    position,
    nullable: nullable === 'YES',
    ...databricksType(type!),
  }));
}
