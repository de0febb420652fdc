/**
 * The rows of a workspace's tables while its DuckDB is closed. duckdb-engine.ts closes the least
 * recently used workspace past LIVE_WORKSPACES; before this, a row the SQL API had acknowledged was
 * gone when the workspace came back (its tables were recreated empty). Now the rows are read out
 * before the close and appended when it opens again, with DuckDB's own types (DECIMAL, TIMESTAMP,
 * nested types, HUGEINT…); views are made again from the statements DuckDB keeps for them. A
 * workspace holding more than PARK_CELLS values is not closed at all: parking that much in JS would
 * cost more than its open DuckDB.
 */
import type { DuckDBConnection, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import type { Int64 } from '../../contract/int64.js';
import { attach, type Workspace } from './catalog.js';
import { logicalCatalog, quoteIdent } from './dialect.js';

export const PARK_CELLS = 1_000_000;

export interface ParkedTable {
  /** Physical names: the attached catalog (pc_…), schema and table. */
  catalog: string;
  schema: string;
  table: string;
  names: string[];
  types: DuckDBType[];
  rows: DuckDBValue[][];
}

/** A view: the statement DuckDB keeps for it, run again in its schema. */
export interface ParkedView {
  catalog: string;
  schema: string;
  sql: string;
}

/** The outcome of parking: the tables' rows and the views (the DuckDB may close), or too many to park (it stays open). */
export type Parked = { tables: ParkedTable[]; views: ParkedView[] } | { keepOpen: true };

const q = (...parts: string[]) => parts.map(quoteIdent).join('.');

/** Reads every user table, empty ones too (the samples catalog is recreated as it was: it is not the user's). */
export async function parkTables(conn: DuckDBConnection, maxCells = PARK_CELLS): Promise<Parked> {
  const list = await conn.runAndReadAll(
    "SELECT database_name, schema_name, table_name, estimated_size, column_count FROM duckdb_tables() WHERE NOT internal AND NOT temporary AND database_name LIKE 'pc\\_%' ESCAPE '\\' AND database_name <> 'pc_samples'",
  );
  const found = list.getRows() as [string, string, string, bigint, bigint][];
  const cells = found.reduce((n, [, , , rows, cols]) => n + Number(rows) * Number(cols), 0);
  if (cells > maxCells) return { keepOpen: true };
  const tables: ParkedTable[] = [];
  for (const [catalog, schema, table] of found) {
    const r = await conn.runAndReadAll(`SELECT * FROM ${q(catalog, schema, table)}`);
    tables.push({ catalog, schema, table, names: r.columnNames(), types: r.columnTypes(), rows: r.getRows() });
  }
  const views = await conn.runAndReadAll(
    "SELECT database_name, schema_name, sql FROM duckdb_views() WHERE NOT internal AND NOT temporary AND database_name LIKE 'pc\\_%' ESCAPE '\\' AND database_name <> 'pc_samples' ORDER BY view_oid",
  );
  const parkedViews = (views.getRows() as [string, string, string][]).map(([catalog, schema, sql]) => ({
    catalog,
    schema,
    sql,
  }));
  return { tables, views: parkedViews };
}

/**
 * Appends parked rows to the reopened workspace's tables, recreating a table its metadata did not
 * (State.sql_tables) from the parked types. Through a temporary table and INSERT … BY NAME, so a
 * column recreated with another type is cast as an INSERT would be.
 */
export async function restoreTables(
  ws: Workspace,
  tables: readonly ParkedTable[],
  views: readonly ParkedView[] = [],
): Promise<void> {
  for (const t of tables) await restoreTable(ws, t).catch(() => undefined); // one table's failure keeps the others
  // Views after the tables they read, in the order they were made (one may read another); each in its schema.
  for (const v of views) {
    await attach(ws, logicalCatalog(v.catalog));
    await ws.conn.run(`USE ${q(v.catalog, v.schema)}`);
    await ws.conn.run(v.sql).catch(() => undefined);
  }
  ws.current = undefined; // the next statement sets its own schema
}

async function restoreTable(ws: Workspace, t: ParkedTable): Promise<void> {
  await attach(ws, logicalCatalog(t.catalog));
  const columns = t.names.map((n, i) => `${quoteIdent(n)} ${t.types[i]!.toString()}`).join(', ');
  await ws.conn.run(`CREATE SCHEMA IF NOT EXISTS ${q(t.catalog, t.schema)}`);
  await ws.conn.run(`CREATE TABLE IF NOT EXISTS ${q(t.catalog, t.schema, t.table)} (${columns})`);
  // A column State.sql_tables does not have (added by a statement it did not record) comes back too.
  const present = await ws.conn.runAndReadAll(`SELECT * FROM ${q(t.catalog, t.schema, t.table)} LIMIT 0`);
  const have = new Set(present.columnNames().map((n) => n.toLowerCase()));
  for (const [i, n] of t.names.entries())
    if (!have.has(n.toLowerCase()))
      await ws.conn.run(
        `ALTER TABLE ${q(t.catalog, t.schema, t.table)} ADD COLUMN ${quoteIdent(n)} ${t.types[i]!.toString()}`,
      );
  if (t.rows.length === 0) return;
  await ws.conn.run(`CREATE OR REPLACE TEMP TABLE pc_parked (${columns})`);
  const appender = await ws.conn.createAppender('pc_parked', 'main', 'temp');
  for (const row of t.rows) {
    row.forEach((v, i) => appender.appendValue(v, t.types[i]));
    appender.endRow();
  }
  appender.closeSync();
  await ws.conn.run(`INSERT INTO ${q(t.catalog, t.schema, t.table)} BY NAME SELECT * FROM temp.main.pc_parked`);
  await ws.conn.run('DROP TABLE temp.main.pc_parked');
}

/** What a workspace left when it was closed: its tables, or itself, still open, when it held too much to park. */
export type Left = { tables: ParkedTable[]; views: ParkedView[] } | { keepOpen: true; workspace: Workspace };

/** The workspaces closed past the limit, by id, until they open again. */
export class ParkingLot {
  readonly #left = new Map<Int64, Promise<Left | undefined>>();
  constructor(private readonly maxCells = PARK_CELLS) {}

  /** Parks the rows of the workspace `opening` resolves to, then closes it with `close`. */
  park(id: Int64, opening: Promise<Workspace>, close: (ws: Workspace) => void): void {
    this.#left.set(
      id,
      opening.then(
        async (ws): Promise<Left> => {
          const parked = await parkTables(ws.conn, this.maxCells).catch(() => ({ tables: [], views: [] }));
          if ('keepOpen' in parked) return { keepOpen: true, workspace: ws };
          close(ws);
          return parked;
        },
        () => undefined, // it never opened: nothing to keep
      ),
    );
  }

  /** What the workspace left, once (a statement waits for it before the workspace opens again). */
  take(id: Int64): Promise<Left | undefined> | undefined {
    const left = this.#left.get(id);
    this.#left.delete(id);
    return left;
  }

  /** Resolves once every workspace being closed is. */
  async settled(): Promise<void> {
    await Promise.all(this.#left.values());
  }
}
