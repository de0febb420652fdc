/** The SQL engine's value types: statement outcomes and workspace metadata (see ../sql.ts). */
import type { Int64 } from '../../contract/int64.js';

export interface SqlColumn {
  name: string;
  /** As Databricks prints it: `int`, `string`, `decimal(10,2)`, `array<string>`. */
  type_text: string;
  /** Upper case, without parameters: `INT`, `STRING`, `DECIMAL`, `ARRAY`. */
  type_name: string;
  position: number;
  type_precision?: number;
  type_scale?: number;
}

export interface StatementError {
  /** The ServiceErrorCode of the Statement Execution API (BAD_REQUEST, INTERNAL_ERROR…). */
  error_code: string;
  /** `[ERROR_CLASS] text. SQLSTATE: xxxxx`, as Databricks writes it. */
  message: string;
  sql_state?: string;
}

export interface StatementOutcome {
  state: 'SUCCEEDED' | 'FAILED';
  error?: StatementError;
  columns: SqlColumn[];
  rows: (string | null)[][];
  /** query: reads (SELECT, SHOW, DESCRIBE, USE); write: changes tables or schemas. */
  kind: 'query' | 'write';
  /** The catalogs the statement used: those it names, else its default catalog. */
  catalogs?: string[];
  /** USE: the defaults it sets (a Thrift session keeps them; each REST statement starts afresh). A USE is no query. */
  defaults?: { catalog: string; schema: string };
  /** CREATE TABLE: what was created. */
  created?: { name: string; columns: { name: string; type: string }[]; location?: string; managed: boolean };
  /** ALTER TABLE … ADD COLUMNS: the table as it is now. */
  altered?: { name: string; columns: { name: string; type: string }[]; location?: string; managed: boolean };
  /** DROP TABLE: the table dropped (catalog.schema.table). */
  dropped?: string;
}

/** A named parameter (`:name` in the statement), as the Statement Execution API takes it. */
export interface SqlParameter {
  name: string;
  /** null: SQL NULL. */
  value: string | null;
  /** A Databricks SQL type (STRING when absent). */
  type?: string;
}

export interface SqlDefaults {
  catalog?: string;
  schema?: string;
  parameters?: SqlParameter[];
  /** The parameters are ordinal: `?` markers, bound in order as `_1`, `_2`… (tokens.ts). */
  ordinal?: boolean;
  /** Who runs the statement, as current_user() answers: a user's e-mail, a service principal's application id. */
  user?: string;
  /** The time current_timestamp(), now() and current_date() answer (the simulated clock); absent: the real one. */
  now?: Date;
}

export interface WorkspaceCatalogs {
  /** Catalogs of the workspace (besides the read-only `samples`). */
  catalogs: string[];
}

/** A table known from earlier runs (State.sql_tables): recreated, empty, when the engine starts. */
export interface KnownTable {
  name: string;
  columns: { name: string; type: string }[];
  location?: string;
}

export interface SchemaInfo {
  catalog: string;
  name: string;
}

export interface TableInfo {
  catalog: string;
  schema: string;
  name: string;
  /** MANAGED, EXTERNAL or VIEW (Unity Catalog's table_type). */
  table_type: 'MANAGED' | 'EXTERNAL' | 'VIEW';
  location?: string;
  columns: ColumnInfo[];
}

export interface ColumnInfo {
  name: string;
  type_text: string;
  type_name: string;
  position: number;
  nullable: boolean;
  type_precision?: number;
  type_scale?: number;
}

/** What an engine implements (loaded lazily by SqlEngine). */
export interface SqlBackend {
  execute(
    workspaceId: Int64,
    statement: string,
    defaults: SqlDefaults,
    catalogs: WorkspaceCatalogs,
  ): Promise<StatementOutcome>;
  listCatalogs(workspaceId: Int64, catalogs: WorkspaceCatalogs): Promise<string[]>;
  listSchemas(workspaceId: Int64, catalogs: WorkspaceCatalogs, catalog: string): Promise<SchemaInfo[]>;
  listTables(workspaceId: Int64, catalogs: WorkspaceCatalogs, catalog: string, schema?: string): Promise<TableInfo[]>;
  listColumns(
    workspaceId: Int64,
    catalogs: WorkspaceCatalogs,
    catalog: string,
    schema: string,
    table: string,
  ): Promise<ColumnInfo[] | undefined>;
}
