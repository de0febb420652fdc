/**
 * The Databricks-only commands (commands.ts parses them) carried out on a workspace's engine:
 * USE, SHOW, DESCRIBE, CREATE/DROP SCHEMA, CREATE TABLE with its Databricks clauses, COPY INTO.
 */
import { columnList, physical, schemaExists, schemaList, tableList, use, type Workspace } from './catalog.js';
import type { Command } from './commands.js';
import { engineDdlType } from './datatypes.js';
import { physicalCatalog, quoteIdent, translate, type DialectContext } from './dialect.js';
import * as E from './errors.js';
import { isName, isP, up, type Tok } from './tokens.js';
import { col, done, type Outcome } from './outcome.js';
import { runSet } from './settings.js';
import type { TableInfo } from './types.js';

export { col, done, type Outcome } from './outcome.js';
const likeMatch = (pattern: string | undefined) => {
  if (pattern === undefined) return () => true;
  const re = new RegExp(
    `^(${pattern
      .split('|')
      .map((p) =>
        p
          .trim()
          .replace(/[.+?^${}()[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*'),
      )
      .join('|')})$`,
    'i',
  );
  return (s: string) => re.test(s);
};

export async function runCommand(ws: Workspace, c: Command, ctx: DialectContext): Promise<Outcome> {
  const known = (cat: string) => {
    if (!ctx.catalogs.has(cat)) throw E.catalogNotFound(cat);
    ctx.used!.add(cat);
    return cat;
  };
  const schemaOf = (parts: string[]) =>
    (parts.length === 2 ? [known(parts[0]!), parts[1]!] : [ctx.catalog, parts[0] ?? ctx.schema]) as [string, string];
  const tableOf = (parts: string[]) => {
    const full = (
      parts.length === 3 ? parts : parts.length === 2 ? [ctx.catalog, ...parts] : [ctx.catalog, ctx.schema, ...parts]
    ) as [string, string, string];
    if (ctx.catalogs.has(full[0])) ctx.used!.add(full[0]);
    return full;
  };
  switch (c.k) {
    case 'use': {
      const catalog = c.catalog === undefined ? ctx.catalog : known(c.catalog);
      const schema = c.schema ?? (c.catalog === undefined ? ctx.schema : 'default');
      if (c.schema !== undefined && !(await schemaExists(ws, catalog, c.schema)))
        throw E.schemaNotFound(`${catalog}.${c.schema}`);
      return { ...done([], []), defaults: { catalog, schema } };
    }
    case 'showCatalogs':
      return done(
        [col('catalog', 'VARCHAR', 0)],
        [...ctx.catalogs].filter(likeMatch(c.like)).map((n) => [n]),
      );
    case 'showSchemas': {
      const catalog = c.catalog === undefined ? ctx.catalog : known(c.catalog);
      const schemas = (await schemaList(ws, catalog)).filter(likeMatch(c.like));
      return done(
        [col('databaseName', 'VARCHAR', 0)],
        schemas.map((s) => [s]),
      );
    }
    case 'showTables': {
      const [catalog, schema] = c.schema.length ? schemaOf(c.schema) : [ctx.catalog, ctx.schema];
      if (!(await schemaExists(ws, catalog, schema))) throw E.schemaNotFound(`${catalog}.${schema}`);
      const tables = (await tableList(ws, catalog, schema)).filter((t) => likeMatch(c.like)(t.name));
      const columns = [col('database', 'VARCHAR', 0), col('tableName', 'VARCHAR', 1), col('isTemporary', 'BOOLEAN', 2)];
      if (!c.extended)
        return done(
          columns,
          tables.map((t) => [schema, t.name, 'false']),
        );
      return done(
        [...columns, col('information', 'VARCHAR', 3)],
        tables.map((t) => [schema, t.name, 'false', information(t)]),
      );
    }
    case 'describe': {
      const [catalog, schema, table] = tableOf(c.name);
      const cols = await columnList(ws, catalog, schema, table);
      if (!cols) throw E.tableNotFound(`${catalog}.${schema}.${table}`);
      const rows: (string | null)[][] = cols.map((x) => [x.name, x.type_text, null]);
      if (c.extended) {
        // After the columns, an empty row and "# Detailed Table Information": tools reading columns stop at either.
        const info = (await tableList(ws, catalog, schema)).find((t) => t.name === table);
        const kind = info?.table_type ?? 'MANAGED';
        rows.push(['', '', ''], ['# Detailed Table Information', '', '']);
        rows.push(['Catalog', catalog, ''], ['Database', schema, ''], ['Table', table, ''], ['Type', kind, '']);
        if (info?.location) rows.push(['Location', info.location, '']);
        if (kind !== 'VIEW') rows.push(['Provider', 'delta', '']);
      }
      return done([col('col_name', 'VARCHAR', 0), col('data_type', 'VARCHAR', 1), col('comment', 'VARCHAR', 2)], rows);
    }
    case 'showViews': {
      const [catalog, schema] = c.schema.length ? schemaOf(c.schema) : [ctx.catalog, ctx.schema];
      if (!(await schemaExists(ws, catalog, schema))) throw E.schemaNotFound(`${catalog}.${schema}`);
      const views = (await tableList(ws, catalog, schema)).filter((t) => t.table_type === 'VIEW');
      return done(
        [
          col('namespace', 'VARCHAR', 0),
          col('viewName', 'VARCHAR', 1),
          col('isTemporary', 'BOOLEAN', 2),
          col('isMaterialized', 'BOOLEAN', 3),
        ],
        views
          .map((v) => v.name)
          .filter(likeMatch(c.like))
          .map((v) => [schema, v, 'false', 'false']),
      );
    }
    case 'describeSchema': {
      const [catalog, schema] = schemaOf(c.name);
      if (!(await schemaExists(ws, catalog, schema))) throw E.schemaNotFound(`${catalog}.${schema}`);
      return done(
        [col('database_description_item', 'VARCHAR', 0), col('database_description_value', 'VARCHAR', 1)],
        [
          ['Catalog Name', catalog],
          ['Namespace Name', schema],
          ['Comment', ''],
        ],
      );
    }
    case 'describeCatalog': {
      const catalog = known(c.name);
      return done(
        [col('info_name', 'VARCHAR', 0), col('info_value', 'VARCHAR', 1)],
        [
          ['Catalog Name', catalog],
          ['Comment', ''],
        ],
      );
    }
    case 'showColumns': {
      const [catalog, schema, table] = tableOf(c.name);
      const cols = await columnList(ws, catalog, schema, table);
      if (!cols) throw E.tableNotFound(`${catalog}.${schema}.${table}`);
      return done(
        [col('col_name', 'VARCHAR', 0)],
        cols.map((x) => [x.name]),
      );
    }
    case 'createSchema': {
      const [catalog, schema] = schemaOf(c.name);
      if (catalog === 'samples') throw E.readOnlyCatalog('samples');
      if (await schemaExists(ws, catalog, schema)) {
        if (c.ifNotExists) return done([], []);
        throw E.schemaExists(`${catalog}.${schema}`);
      }
      await ws.conn.run(`CREATE SCHEMA ${quoteIdent(physicalCatalog(catalog))}.${quoteIdent(schema)}`);
      return done([], []);
    }
    case 'dropSchema': {
      const [catalog, schema] = schemaOf(c.name);
      if (catalog === 'samples') throw E.readOnlyCatalog('samples');
      if (!(await schemaExists(ws, catalog, schema))) {
        if (c.ifExists) return done([], []);
        throw E.schemaNotFound(`${catalog}.${schema}`);
      }
      await ws.conn.run(
        `DROP SCHEMA ${quoteIdent(physicalCatalog(catalog))}.${quoteIdent(schema)}${c.cascade ? ' CASCADE' : ''}`,
      );
      if (ws.current === `${catalog}.${schema}`) ws.current = undefined;
      return done([], []);
    }
    case 'createTable':
      return createTable(ws, c, tableOf(c.name), ctx);
    case 'dropTable': {
      const full = tableOf(c.name);
      if (full[0] === 'samples') throw E.readOnlyCatalog('samples');
      const name = full.join('.');
      if (!(await columnList(ws, ...full))) {
        if (c.ifExists) return done([], []);
        throw E.tableNotFound(name);
      }
      await ws.conn.run(`DROP TABLE ${physical(full)}`);
      ws.tables.delete(name);
      return { ...done([], []), dropped: name };
    }
    case 'set':
    case 'reset':
      return runSet(c);
    case 'metadataOnly': {
      if (c.table) {
        const [catalog, schema, table] = tableOf(c.table);
        if (!(await columnList(ws, catalog, schema, table))) throw E.tableNotFound(`${catalog}.${schema}.${table}`);
      }
      return done([], []);
    }
    case 'addColumns':
      return addColumns(ws, c, tableOf(c.name));
    case 'copyInto': {
      // The simulated cloud storage holds no files: COPY INTO loads none, as Databricks does for an empty source.
      const [catalog, schema, table] = tableOf(c.name);
      if (catalog === 'samples') throw E.readOnlyCatalog('samples');
      if (!(await columnList(ws, catalog, schema, table))) throw E.tableNotFound(`${catalog}.${schema}.${table}`);
      return done([col('num_affected_rows', 'BIGINT', 0), col('num_inserted_rows', 'BIGINT', 1)], [['0', '0']]);
    }
  }
}

export async function createTable(
  ws: Workspace,
  c: Extract<Command, { k: 'createTable' }>,
  full: [string, string, string],
  ctx: DialectContext,
): Promise<Outcome> {
  const [catalog, schema] = full;
  if (catalog === 'samples') throw E.readOnlyCatalog('samples');
  if (!ctx.catalogs.has(catalog)) throw E.catalogNotFound(catalog);
  if (!(await schemaExists(ws, catalog, schema))) throw E.schemaNotFound(`${catalog}.${schema}`);
  const name = full.join('.');
  const exists = (await columnList(ws, ...full)) !== undefined;
  if (exists && c.ifNotExists) return done([], []);
  if (exists && !c.replace) throw E.tableExists(name);
  await use(ws, ctx);
  const target = physical(full);
  const verb = c.replace ? 'CREATE OR REPLACE TABLE' : 'CREATE TABLE';
  if (c.query) {
    const query = translate(c.query, ctx);
    if (c.columns) {
      await ws.conn.run(
        `${verb} ${target} (${c.columns.map((x) => `${quoteIdent(x.name)} ${engineDdlType(x.type)}`).join(', ')})`,
      );
      await ws.conn.run(`INSERT INTO ${target} ${query}`);
    } else await ws.conn.run(`${verb} ${target} AS ${query}`);
  } else
    await ws.conn.run(
      `${verb} ${target} (${c.columns!.map((x) => `${quoteIdent(x.name)} ${engineDdlType(x.type)}`).join(', ')})`,
    );
  const columns =
    c.columns ?? (await columnList(ws, ...full))!.map((x) => ({ name: x.name, type: x.type_text.toUpperCase() }));
  ws.tables.set(name, { location: c.location, declared: c.columns });
  return { ...done([], []), created: { name, columns, location: c.location, managed: c.location === undefined } };
}

/** ALTER TABLE … ADD COLUMNS: each column in turn; the table as it is now, for State.sql_tables. */
async function addColumns(
  ws: Workspace,
  c: Extract<Command, { k: 'addColumns' }>,
  full: [string, string, string],
): Promise<Outcome> {
  const name = full.join('.');
  if (full[0] === 'samples') throw E.readOnlyCatalog('samples');
  const existing = await columnList(ws, ...full);
  if (!existing) throw E.tableNotFound(name);
  const taken = new Set(existing.map((x) => x.name.toLowerCase()));
  for (const x of c.columns) {
    if (taken.has(x.name.toLowerCase())) throw E.fieldAlreadyExists(x.name, name);
    taken.add(x.name.toLowerCase());
  }
  for (const x of c.columns)
    await ws.conn.run(`ALTER TABLE ${physical(full)} ADD COLUMN ${quoteIdent(x.name)} ${engineDdlType(x.type)}`);
  const meta = ws.tables.get(name);
  const declared = meta?.declared ? [...meta.declared, ...c.columns] : undefined;
  ws.tables.set(name, { ...meta, declared });
  const columns =
    declared ?? (await columnList(ws, ...full))!.map((x) => ({ name: x.name, type: x.type_text.toUpperCase() }));
  const location = meta?.location;
  return { ...done([], []), altered: { name, columns, location, managed: location === undefined } };
}

/**
 * The `information` of SHOW TABLE EXTENDED, in the lines tools read from it (dbt reads Type, Provider and
 * the Schema tree): catalog, database, table, type, provider and location for a table, and the columns.
 */
function information(t: TableInfo): string {
  const lines = [`Catalog: ${t.catalog}`, `Database: ${t.schema}`, `Table: ${t.name}`, `Type: ${t.table_type}`];
  if (t.table_type !== 'VIEW') lines.push('Provider: delta');
  if (t.location) lines.push(`Location: ${t.location}`);
  // The schema tree names types as Spark's typeName does: integer and long, not int and bigint.
  const tree = (type: string) => ({ int: 'integer', bigint: 'long', smallint: 'short', tinyint: 'byte' })[type] ?? type;
  lines.push(
    'Schema: root',
    ...t.columns.map((x) => ` |-- ${x.name}: ${tree(x.type_text)} (nullable = ${x.nullable})`),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * After an ALTER TABLE the engine ran itself (DROP, RENAME or ALTER COLUMN, RENAME TO): the table as it is
 * now, for State.sql_tables, so that a restart or a closed workspace's reopening makes it so again. A
 * RENAME TO records the new name and drops the old.
 */
export async function afterAlter(ws: Workspace, toks: Tok[], ctx: DialectContext): Promise<Partial<Outcome>> {
  if (up(toks[0]) !== 'ALTER' || up(toks[1]) !== 'TABLE') return {};
  const parts: string[] = [];
  let i = 2;
  while (isName(toks[i])) {
    parts.push(toks[i]!.v.toLowerCase());
    i += isP(toks[i + 1], '.') ? 2 : 1;
    if (!isP(toks[i - 1], '.')) break;
  }
  const full = (
    parts.length === 3 ? parts : parts.length === 2 ? [ctx.catalog, ...parts] : [ctx.catalog, ctx.schema, ...parts]
  ) as [string, string, string];
  const renamed = up(toks[i]) === 'RENAME' && up(toks[i + 1]) === 'TO' ? toks.at(-1)!.v.toLowerCase() : undefined;
  const now: [string, string, string] = renamed ? [full[0], full[1], renamed] : full;
  const cols = await columnList(ws, ...now);
  if (!cols) return {};
  const before = full.join('.');
  const name = now.join('.');
  const location = ws.tables.get(before)?.location;
  ws.tables.delete(before);
  ws.tables.set(name, { location }); // the declared types no longer say what the engine has
  const table = {
    name,
    columns: cols.map((x) => ({ name: x.name, type: x.type_text.toUpperCase() })),
    location,
    managed: location === undefined,
  };
  return renamed ? { dropped: before, created: table } : { altered: table };
}
