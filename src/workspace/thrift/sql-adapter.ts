/**
 * The Thrift endpoint's one way into the SQL engine (and the tables it knows), so a change of
 * engine touches this file only. A statement runs exactly as POST /api/2.0/sql/statements runs it:
 * same engine, same catalogs, and a created table is recorded in State.sql_tables.
 */
import type { Int64 } from '../../contract/int64.js';
import { catalogsOfWorkspace } from '../../databricks/indexes.js';
import type { State } from '../../databricks/model.js';
import type { Store } from '../../store/types.js';
import type { SqlDefaults, SqlEngine, StatementOutcome } from '../sql.js';
import { recordTables } from '../sql-tables.js';
import { principalName, type Principal } from '../tokens.js';

export type { StatementOutcome };

export interface TableInfo {
  /** catalog.schema.table, lower case. */
  name: string;
  columns: { name: string; type: string }[];
}

export interface WorkspaceMetadata {
  catalogs: string[];
  schemas: { catalog: string; name: string }[];
  tables: TableInfo[];
}

/** The workspace's catalogs, besides the read-only `samples` (as the REST statement API sees them). */
export function catalogsOf(state: Readonly<State>, workspaceId: Int64): string[] {
  return catalogsOfWorkspace(state, workspaceId);
}

/** Catalogs, schemas and tables (with columns) of the workspace, as the engine knows them. */
export async function metadataOf(
  deps: { store: Store; engine: SqlEngine },
  workspaceId: Int64,
): Promise<WorkspaceMetadata> {
  const known = { catalogs: catalogsOf(deps.store.read(), workspaceId) };
  const catalogs = await deps.engine.listCatalogs(workspaceId, known);
  const schemas: WorkspaceMetadata['schemas'] = [];
  const tables: TableInfo[] = [];
  for (const catalog of catalogs) {
    for (const s of await deps.engine.listSchemas(workspaceId, known, catalog))
      schemas.push({ catalog: s.catalog, name: s.name });
    for (const t of await deps.engine.listTables(workspaceId, known, catalog)) {
      tables.push({
        name: `${t.catalog}.${t.schema}.${t.name}`,
        columns: t.columns.map((c) => ({ name: c.name, type: c.type_text })),
      });
    }
  }
  return { catalogs, schemas, tables };
}

export async function runStatement(
  deps: { store: Store; engine: SqlEngine },
  principal: Principal,
  statement: string,
  defaults: SqlDefaults,
  now: Date,
): Promise<StatementOutcome> {
  const catalogs = catalogsOf(deps.store.read(), principal.workspace_id);
  const user = principalName(deps.store.read(), principal);
  const outcome = await deps.engine.execute(
    principal.workspace_id,
    statement,
    { ...defaults, user, now },
    { catalogs },
  );
  await recordTables(deps.store, principal, outcome, now);
  return outcome;
}
