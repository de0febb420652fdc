// A partner's product in its own process: @databricks/sql with the credentials of a Connect
// payload (env PCSIM_DRIVER = JSON {host, port, path, token, table, ca?}). It runs the calls a BI
// tool makes first and prints what it saw as JSON (bigints as strings). With no `ca` it trusts
// pcsim's CA the way a partner would: NODE_EXTRA_CA_CERTS.
const { DBSQLClient, DBSQLLogger, LogLevel } = require('@databricks/sql');

const input = JSON.parse(process.env.PCSIM_DRIVER);

async function rows(op) {
  const o = await op;
  const all = await o.fetchAll();
  const schema = await o.getSchema();
  await o.close();
  return { all, schema };
}

async function main() {
  // The driver logs to stdout; this process prints only its result there.
  const client = new DBSQLClient({ logger: new DBSQLLogger({ level: LogLevel.error }) });
  await client.connect({
    host: input.host,
    port: input.port,
    path: input.path,
    token: input.token,
    ...(input.ca ? { customCaCert: input.ca } : {}),
  });
  const session = await client.openSession();
  try {
    const out = {};
    out.one = await rows(session.executeStatement('SELECT 1 AS one'));
    out.who = await rows(session.executeStatement('SELECT current_user() AS who'));
    if (input.table) {
      const table = input.table;
      await rows(
        session.executeStatement(
          `CREATE TABLE ${table} (id BIGINT, name STRING, score DOUBLE, ok BOOLEAN) USING DELTA`,
        ),
      );
      await rows(session.executeStatement(`INSERT INTO ${table} VALUES (1, 'ada', 1.5, true), (2, NULL, 2.25, false)`));
      out.data = await rows(session.executeStatement(`SELECT id, name, score, ok FROM ${table} ORDER BY id`));
      out.failed = await session
        .executeStatement('SELECT * FROM main.default.no_such_table')
        .then((o) => o.fetchAll())
        .then(
          () => null,
          (e) => String(e.message),
        );
      const [schemaName, tableName] = table.split('.').slice(-2);
      out.meta = {
        catalogs: (await rows(session.getCatalogs())).all,
        schemas: (await rows(session.getSchemas({ schemaName }))).all,
        tables: (await rows(session.getTables({ schemaName, tableName }))).all,
        columns: (await rows(session.getColumns({ schemaName, tableName }))).all,
        types: (await rows(session.getTypeInfo())).all,
        dbms: (await session.getInfo(17)).getValue(),
      };
    }
    if (input.initial) {
      // A session opened in a catalog and schema (initialNamespace): unqualified names resolve there.
      const named = await client.openSession({ initialCatalog: 'samples', initialSchema: 'nyctaxi' });
      try {
        out.initial = (
          await rows(named.executeStatement('SELECT count(*) AS n, current_catalog() AS c FROM trips'))
        ).all;
        // Query parameters: the driver sends them only to a server of SPARK_CLI_SERVICE_PROTOCOL_V8 or later.
        out.params = (
          await rows(
            named.executeStatement('SELECT :n + 1 AS m, :s AS s, :none AS z', {
              namedParameters: { n: 41, s: "it's", none: null },
            }),
          )
        ).all;
        // Ordinal ones fill ? markers in order (a JDBC PreparedStatement sends these); '?' in a string stays.
        out.ordinal = (
          await rows(named.executeStatement("SELECT ? + 1 AS x, '?' AS q, ? AS y", { ordinalParameters: [41, 'b'] }))
        ).all;
      } finally {
        await named.close();
      }
    }
    process.stdout.write(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));
  } finally {
    await session.close();
    await client.close();
  }
}

// Exit once done: the driver's keep-alive socket would hold the process until the server drops it.
main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`driver failed: ${e && e.message}\n`);
    process.exit(1);
  },
);
