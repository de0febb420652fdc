/**
 * The simulated SQL warehouse's public surface: what the Statement Execution API, the Thrift
 * endpoint and the Unity Catalog REST API use. The engine behind it is loaded on the first call
 * (dynamic import), so `pcsim serve` starts without paying for it.
 *
 * Stable contract (i16thrift, i16rest build on it):
 * - execute(workspaceId, statement, defaults, catalogs) → Promise<StatementOutcome> (never rejects
 *   for a partner's mistake: a failure is an outcome with state FAILED and a Databricks error).
 * - listCatalogs / listSchemas / listTables / listColumns: the metadata of one workspace.
 */
import type { Int64 } from '../contract/int64.js';
import type { KnownTable, SqlBackend, SqlDefaults, StatementOutcome, WorkspaceCatalogs } from './sql/types.js';
import type { ColumnInfo, SchemaInfo, TableInfo } from './sql/types.js';

export { SAMPLE_TRIPS } from './sql/samples.js';
export type {
  ColumnInfo,
  KnownTable,
  SchemaInfo,
  SqlColumn,
  SqlDefaults,
  SqlParameter,
  StatementOutcome,
  TableInfo,
  WorkspaceCatalogs,
} from './sql/types.js';

type BackendFactory = (known: (workspaceId: Int64) => KnownTable[]) => Promise<SqlBackend>;

const defaultBackend: BackendFactory = async (known) => {
  const m = await import('./sql/duckdb-engine.js');
  return m.DuckdbBackend.create(known);
};

export class SqlEngine {
  private backend?: Promise<SqlBackend>;

  /** `known`: tables of earlier runs (State.sql_tables), recreated empty on first use of a workspace. */
  constructor(
    private readonly known: (workspaceId: Int64) => KnownTable[] = () => [],
    private readonly factory: BackendFactory = defaultBackend,
  ) {}

  private load(): Promise<SqlBackend> {
    this.backend ??= this.factory(this.known);
    return this.backend;
  }

  /** Executes one statement; a failure is an outcome (FAILED), as Databricks reports it. */
  async execute(
    workspaceId: Int64,
    statement: string,
    defaults: SqlDefaults,
    catalogs: WorkspaceCatalogs,
  ): Promise<StatementOutcome> {
    return (await this.load()).execute(workspaceId, statement, defaults, catalogs);
  }

  /** Catalog names the workspace shows (its catalogs, then `samples`). */
  async listCatalogs(workspaceId: Int64, catalogs: WorkspaceCatalogs): Promise<string[]> {
    return (await this.load()).listCatalogs(workspaceId, catalogs);
  }

  /** Schemas of one catalog (`default` included; `information_schema` too, as Databricks lists it). */
  async listSchemas(workspaceId: Int64, catalogs: WorkspaceCatalogs, catalog: string): Promise<SchemaInfo[]> {
    return (await this.load()).listSchemas(workspaceId, catalogs, catalog);
  }

  /** Tables of one schema (or of every schema of the catalog when `schema` is undefined). */
  async listTables(
    workspaceId: Int64,
    catalogs: WorkspaceCatalogs,
    catalog: string,
    schema?: string,
  ): Promise<TableInfo[]> {
    return (await this.load()).listTables(workspaceId, catalogs, catalog, schema);
  }

  /** Columns of one table, in order; undefined when the table does not exist. */
  async listColumns(
    workspaceId: Int64,
    catalogs: WorkspaceCatalogs,
    catalog: string,
    schema: string,
    table: string,
  ): Promise<ColumnInfo[] | undefined> {
    return (await this.load()).listColumns(workspaceId, catalogs, catalog, schema, table);
  }
}
