/**
 * Unity Catalog as the 2.1 REST API shows it: catalogs, schemas and tables of the workspace, the
 * tables being those the partner created with SQL (State.sql_tables) and the read-only samples.
 */
import { createHash } from 'node:crypto';
import { catalogsOfWorkspace, workspaceById } from '../../databricks/indexes.js';
import { invalidParameter, WorkspaceApiError } from '../errors.js';
import { SAMPLE_TRIPS } from '../sql/samples.js';
import { epoch, intParam, queryParam, type CallContext, type RestHandler } from './context.js';

/** A table as Unity Catalog lists it; `name` is catalog.schema.table in lower case. */
export interface CatalogTable {
  name: string;
  columns: { name: string; type: string }[];
  location?: string;
  created_at?: string;
}

/**
 * The one place that reads what SQL created, for one catalog: State.sql_tables of the workspace
 * (what the engine records for CREATE TABLE, and recreates after a restart), or the read-only
 * `samples` table the engine loads (sql/samples.ts). A change of engine touches only this function.
 */
export function tablesOf(c: CallContext, catalog: string): CatalogTable[] {
  const ws = c.principal.workspace_id;
  if (catalog === 'samples') return [{ name: SAMPLE_TRIPS.name, columns: SAMPLE_TRIPS.columns }];
  return (c.state.sql_tables ?? [])
    .filter((t) => t.workspace_id === ws && t.name.startsWith(`${catalog}.`))
    .map((t) => ({ name: t.name, columns: t.columns, location: t.location, created_at: t.created_at }));
}

const notFound = (message: string) => new WorkspaceApiError('NOT_FOUND', message);

/** A stable UUID-shaped id for a securable (Unity Catalog ids are UUIDs). */
function uuidOf(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const metastoreOf = (c: CallContext) => uuidOf('metastore', c.principal.workspace_id);
const SYSTEM = 'System user';

function catalogNames(c: CallContext): string[] {
  return [...new Set([...catalogsOfWorkspace(c.state, c.principal.workspace_id), 'samples'])];
}

/** Documented CatalogType values only: the legacy hive_metastore is Databricks' internal catalog. */
const catalogType = (name: string) =>
  name === 'samples' ? 'SYSTEM_CATALOG' : name === 'hive_metastore' ? 'INTERNAL_CATALOG' : 'MANAGED_CATALOG';

function workspaceCreated(c: CallContext): number {
  const ws = workspaceById(c.state, c.principal.workspace_id);
  return epoch(ws?.created_at ?? c.now.toISOString());
}

function catalogView(c: CallContext, name: string): Record<string, unknown> {
  const system = name === 'samples' || name === 'hive_metastore';
  return {
    name,
    full_name: name,
    owner: system ? SYSTEM : 'admins',
    comment: name === 'samples' ? 'Read-only sample data' : '',
    catalog_type: catalogType(name),
    metastore_id: metastoreOf(c),
    isolation_mode: 'OPEN',
    securable_type: 'CATALOG',
    browse_only: false,
    created_at: workspaceCreated(c),
    created_by: SYSTEM,
    updated_at: workspaceCreated(c),
    updated_by: SYSTEM,
  };
}

function requireCatalog(c: CallContext, name: string): void {
  if (!catalogNames(c).includes(name)) throw notFound(`Catalog '${name}' does not exist.`);
}

export const listCatalogs: RestHandler = (c) => ({
  status: 200,
  kind: 'read',
  body: { catalogs: catalogNames(c).map((n) => catalogView(c, n)) },
});

export const getCatalog: RestHandler = (c) => {
  const name = String(c.req.params.name ?? '').toLowerCase();
  requireCatalog(c, name);
  return { status: 200, kind: 'read', body: catalogView(c, name) };
};

// ---- schemas ----

function schemaNames(tables: CatalogTable[], catalog: string): string[] {
  const fromTables = tables
    .map((t) => t.name.split('.'))
    .filter((p) => p[0] === catalog)
    .map((p) => p[1]!);
  const base = catalog === 'samples' ? [] : ['default'];
  return [...new Set([...base, ...fromTables, 'information_schema'])].sort();
}

function schemaView(c: CallContext, tables: CatalogTable[], catalog: string, name: string): Record<string, unknown> {
  const first = tables
    .filter((t) => t.name.startsWith(`${catalog}.${name}.`) && t.created_at)
    .map((t) => epoch(t.created_at!));
  const created =
    name === 'default' || name === 'information_schema' || first.length === 0
      ? workspaceCreated(c)
      : Math.min(...first);
  return {
    name,
    catalog_name: catalog,
    catalog_type: catalogType(catalog),
    full_name: `${catalog}.${name}`,
    owner: name === 'information_schema' || catalog === 'samples' ? SYSTEM : 'admins',
    comment:
      name === 'information_schema'
        ? 'Information schema (auto-created)'
        : name === 'default'
          ? 'Default schema (auto-created)'
          : '',
    metastore_id: metastoreOf(c),
    schema_id: uuidOf('schema', c.principal.workspace_id, catalog, name),
    browse_only: false,
    created_at: created,
    created_by: SYSTEM,
    updated_at: created,
    updated_by: SYSTEM,
  };
}

/** max_results / page_token paging of Unity Catalog lists (max_results 0 or absent: everything). */
function page<T>(c: CallContext, what: string, items: T[]): { items: T[]; next_page_token?: string } {
  const max = intParam(c, 'max_results');
  const token = queryParam(c, 'page_token');
  let offset = 0;
  if (token) {
    const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
    if (!m)
      throw invalidParameter(
        `Failed to list ${what}: page_token ${JSON.stringify(token)} is not one this workspace gave. Expected next_page_token of an earlier page.`,
      );
    offset = Number(m[1]);
  }
  if (!max) return { items: items.slice(offset) };
  const out = items.slice(offset, offset + max);
  const end = offset + out.length;
  return end < items.length
    ? { items: out, next_page_token: Buffer.from(`o:${end}`).toString('base64url') }
    : { items: out };
}

function requiredParam(c: CallContext, key: string, what: string): string {
  const v = queryParam(c, key);
  if (!v) throw invalidParameter(`Failed to list ${what}: ${key} is missing. Expected ?${key}=<name>.`);
  return v.toLowerCase();
}

export const listSchemas: RestHandler = (c) => {
  const catalog = requiredParam(c, 'catalog_name', 'schemas');
  requireCatalog(c, catalog);
  const tables = tablesOf(c, catalog);
  const p = page(c, 'schemas', schemaNames(tables, catalog));
  const schemas = p.items.map((s) => schemaView(c, tables, catalog, s));
  return {
    status: 200,
    kind: 'read',
    body: { schemas, ...(p.next_page_token ? { next_page_token: p.next_page_token } : {}) },
  };
};

function splitName(full: string, parts: number, what: string): string[] {
  const p = full.toLowerCase().split('.');
  if (p.length !== parts || p.some((x) => x === ''))
    throw invalidParameter(
      `Failed to get the ${what}: ${JSON.stringify(full)} is not a full name. Expected ${parts === 2 ? 'catalog.schema' : 'catalog.schema.table'}.`,
    );
  return p;
}

function requireSchema(c: CallContext, tables: CatalogTable[], catalog: string, schema: string): void {
  requireCatalog(c, catalog);
  if (!schemaNames(tables, catalog).includes(schema)) throw notFound(`Schema '${catalog}.${schema}' does not exist.`);
}

export const getSchema: RestHandler = (c) => {
  const [catalog, schema] = splitName(String(c.req.params.full_name ?? ''), 2, 'schema');
  const tables = tablesOf(c, catalog!);
  requireSchema(c, tables, catalog!, schema!);
  return { status: 200, kind: 'read', body: schemaView(c, tables, catalog!, schema!) };
};

// ---- tables ----

/** Spark SQL type → Unity Catalog's ColumnTypeName and the Spark JSON type name. */
const TYPES: Record<string, [string, string]> = {
  BIGINT: ['LONG', 'long'],
  LONG: ['LONG', 'long'],
  INT: ['INT', 'integer'],
  INTEGER: ['INT', 'integer'],
  SMALLINT: ['SHORT', 'short'],
  SHORT: ['SHORT', 'short'],
  TINYINT: ['BYTE', 'byte'],
  BYTE: ['BYTE', 'byte'],
  STRING: ['STRING', 'string'],
  VARCHAR: ['STRING', 'string'],
  CHAR: ['STRING', 'string'],
  TEXT: ['STRING', 'string'],
  DOUBLE: ['DOUBLE', 'double'],
  FLOAT: ['FLOAT', 'float'],
  REAL: ['FLOAT', 'float'],
  BOOLEAN: ['BOOLEAN', 'boolean'],
  DATE: ['DATE', 'date'],
  TIMESTAMP: ['TIMESTAMP', 'timestamp'],
  TIMESTAMP_NTZ: ['TIMESTAMP_NTZ', 'timestamp_ntz'],
  BINARY: ['BINARY', 'binary'],
  VARIANT: ['VARIANT', 'variant'],
};

function columnView(col: { name: string; type: string }, position: number): Record<string, unknown> {
  const text = col.type.trim().toLowerCase();
  const base = text.replace(/\(.*$/, '').replace(/<.*$/, '').toUpperCase();
  const decimal = /^(decimal|numeric|dec)(?:\((\d+)\s*,\s*(\d+)\))?$/.exec(text);
  const out: Record<string, unknown> = { name: col.name, position, nullable: true };
  if (decimal) {
    const [precision, scale] = [Number(decimal[2] ?? 10), Number(decimal[3] ?? 0)];
    Object.assign(out, {
      type_text: `decimal(${precision},${scale})`,
      type_name: 'DECIMAL',
      type_precision: precision,
      type_scale: scale,
    });
    out.type_json = JSON.stringify({
      name: col.name,
      type: `decimal(${precision},${scale})`,
      nullable: true,
      metadata: {},
    });
    return out;
  }
  const known = TYPES[base];
  const complex = ['ARRAY', 'MAP', 'STRUCT'].includes(base);
  const typeName = known?.[0] ?? (complex ? base : 'STRING');
  Object.assign(out, { type_text: text, type_name: typeName, type_precision: 0, type_scale: 0 });
  out.type_json = JSON.stringify({ name: col.name, type: known?.[1] ?? text, nullable: true, metadata: {} });
  return out;
}

function tableView(
  c: CallContext,
  t: CatalogTable,
  opts: { columns: boolean } = { columns: true },
): Record<string, unknown> {
  const [catalog, schema, name] = t.name.split('.') as [string, string, string];
  const created = t.created_at ? epoch(t.created_at) : workspaceCreated(c);
  const out: Record<string, unknown> = {
    name,
    catalog_name: catalog,
    schema_name: schema,
    full_name: t.name,
    table_type: t.location ? 'EXTERNAL' : 'MANAGED',
    data_source_format: 'DELTA',
    owner: catalog === 'samples' ? SYSTEM : c.principal.resources.service_principal_id,
    metastore_id: metastoreOf(c),
    table_id: uuidOf('table', c.principal.workspace_id, t.name),
    created_at: created,
    created_by: catalog === 'samples' ? SYSTEM : c.principal.resources.service_principal_id,
    updated_at: created,
    updated_by: catalog === 'samples' ? SYSTEM : c.principal.resources.service_principal_id,
    browse_only: false,
  };
  if (t.location) out.storage_location = t.location;
  if (opts.columns) out.columns = t.columns.map(columnView);
  return out;
}

const BOOL = (c: CallContext, key: string) => {
  const v = queryParam(c, key);
  if (v !== undefined && v !== 'true' && v !== 'false')
    throw invalidParameter(`Failed to read the query: ${key} is ${JSON.stringify(v)}. Expected true or false.`);
  return v === 'true';
};

export const listTables: RestHandler = (c) => {
  const catalog = requiredParam(c, 'catalog_name', 'tables');
  const schema = requiredParam(c, 'schema_name', 'tables');
  const all = tablesOf(c, catalog);
  requireSchema(c, all, catalog, schema);
  const omitColumns = BOOL(c, 'omit_columns');
  const inSchema = all
    .filter((t) => t.name.startsWith(`${catalog}.${schema}.`))
    .sort((a, b) => a.name.localeCompare(b.name));
  const p = page(c, 'tables', inSchema);
  const tables = p.items.map((t) => tableView(c, t, { columns: !omitColumns }));
  return {
    status: 200,
    kind: 'read',
    body: { tables, ...(p.next_page_token ? { next_page_token: p.next_page_token } : {}) },
  };
};

export const getTable: RestHandler = (c) => {
  const parts = splitName(String(c.req.params.full_name ?? ''), 3, 'table');
  const full = parts.join('.');
  const known = catalogNames(c).includes(parts[0]!);
  const t = known ? tablesOf(c, parts[0]!).find((x) => x.name === full) : undefined;
  if (!t) throw notFound(`Table '${full}' does not exist.`);
  return { status: 200, kind: 'read', body: tableView(c, t) };
};
