/**
 * TCLIService on the wire, with the generated Thrift client (what JDBC/ODBC drivers speak): the
 * calls @databricks/sql does not make — synchronous ExecuteStatement (runAsync false), a PAT sent
 * as Basic token:<PAT> (the JDBC driver's AuthMech=3), paging with maxRows, unknown handles and
 * info types — and that every call is activity of the connection.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import thrift from 'thrift';
import TCLIService from '../../src/workspace/thrift/gen/TCLIService.cjs';
import ttypes from '../../src/workspace/thrift/gen/TCLIService_types.cjs';
import { startWorkspace, type TestWorkspace } from './harness.js';

let w: TestWorkspace | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

function clientFor(base: string, path: string, authorization: string) {
  const url = new URL(base);
  const connection = thrift.createHttpConnection(url.hostname, Number(url.port), {
    transport: thrift.TBufferedTransport,
    protocol: thrift.TBinaryProtocol,
    path,
    headers: { Authorization: authorization },
  });
  return thrift.createHttpClient(TCLIService.Client, connection);
}

describe('TCLIService over HTTP', () => {
  it('runs statements synchronously, pages results, answers GetInfo, and refuses unknown handles', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const basic = `Basic ${Buffer.from(`token:${w.resources.pat}`).toString('base64')}`;
    const client = clientFor(w.base, w.resources.warehouse!.http_path, basic);
    const open = await client.OpenSession(
      new ttypes.TOpenSessionReq({
        client_protocol: ttypes.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
        configuration: { 'use:catalog': 'samples', 'use:database': 'nyctaxi' },
      }),
    );
    expect(open.status.statusCode).toBe(ttypes.TStatusCode.SUCCESS_STATUS);
    expect(open.serverProtocolVersion).toBe(ttypes.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8);
    const sessionHandle = open.sessionHandle!;

    // The session's initial catalog and schema (use:catalog, use:database) name the table.
    const exec = await client.ExecuteStatement(
      new ttypes.TExecuteStatementReq({
        sessionHandle,
        statement: 'SELECT fare_amount FROM trips ORDER BY fare_amount',
        runAsync: false,
      }),
    );
    expect(exec.status.statusCode).toBe(ttypes.TStatusCode.SUCCESS_STATUS);
    const operationHandle = exec.operationHandle!;
    const status = await client.GetOperationStatus(new ttypes.TGetOperationStatusReq({ operationHandle }));
    expect(status.operationState).toBe(ttypes.TOperationState.FINISHED_STATE);
    const metadata = await client.GetResultSetMetadata(new ttypes.TGetResultSetMetadataReq({ operationHandle }));
    expect(metadata.resultFormat).toBe(ttypes.TSparkRowSetType.COLUMN_BASED_SET);
    expect(metadata.schema!.columns.map((c) => [c.columnName, c.typeDesc.types[0]!.primitiveEntry!.type])).toEqual([
      ['fare_amount', ttypes.TTypeId.DOUBLE_TYPE],
    ]);
    const pages: number[][] = [];
    for (;;) {
      const page = await client.FetchResults(
        new ttypes.TFetchResultsReq({
          operationHandle,
          orientation: ttypes.TFetchOrientation.FETCH_NEXT,
          maxRows: new thrift.Int64(2),
        }),
      );
      pages.push(page.results!.columns![0]!.doubleVal!.values);
      if (!page.hasMoreRows) break;
    }
    expect(pages).toEqual([[7.5, 8], [9.5, 11.5], [18.5]]);
    expect((await client.CloseOperation(new ttypes.TCloseOperationReq({ operationHandle }))).status.statusCode).toBe(
      ttypes.TStatusCode.SUCCESS_STATUS,
    );
    expect(
      (
        await client.FetchResults(
          new ttypes.TFetchResultsReq({ operationHandle, orientation: 0, maxRows: new thrift.Int64(1) }),
        )
      ).status.statusCode,
    ).toBe(ttypes.TStatusCode.INVALID_HANDLE_STATUS);

    // A failing statement: the error status carries Databricks' error class and SQLSTATE.
    const bad = await client.ExecuteStatement(
      new ttypes.TExecuteStatementReq({ sessionHandle, statement: 'SELECT * FROM nope', runAsync: false }),
    );
    expect(bad.status).toMatchObject({
      statusCode: ttypes.TStatusCode.ERROR_STATUS,
      sqlState: '42P01',
      errorMessage: expect.stringContaining('TABLE_OR_VIEW_NOT_FOUND'),
    });

    const dbms = await client.GetInfo(
      new ttypes.TGetInfoReq({ sessionHandle, infoType: ttypes.TGetInfoType.CLI_DBMS_NAME }),
    );
    expect(dbms.infoValue.stringValue).toBe('Spark SQL');
    const unknown = await client.GetInfo(
      new ttypes.TGetInfoReq({ sessionHandle, infoType: ttypes.TGetInfoType.CLI_MAX_IDENTIFIER_LEN }),
    );
    expect(unknown.status).toMatchObject({
      statusCode: ttypes.TStatusCode.ERROR_STATUS,
      errorMessage: expect.stringContaining('Unrecognized GetInfoType'),
    });

    expect((await client.CloseSession(new ttypes.TCloseSessionReq({ sessionHandle }))).status.statusCode).toBe(
      ttypes.TStatusCode.SUCCESS_STATUS,
    );
    const closed = await client.ExecuteStatement(
      new ttypes.TExecuteStatementReq({ sessionHandle, statement: 'SELECT 1', runAsync: false }),
    );
    expect(closed.status).toMatchObject({
      statusCode: ttypes.TStatusCode.INVALID_HANDLE_STATUS,
      errorMessage: expect.stringContaining('Invalid session handle'),
    });

    const activity = (w.store.read().activity ?? []).filter((a) => a.path === w!.resources.warehouse!.http_path);
    expect(activity.every((a) => a.resources_id === w!.resources.id && a.auth === 'pat')).toBe(true);
    expect(activity.find((a) => a.detail === 'SELECT fare_amount FROM trips ORDER BY fare_amount')).toMatchObject({
      kind: 'query',
      ok: true,
    });
    expect(activity.find((a) => a.detail === 'SELECT * FROM nope')).toMatchObject({ kind: 'query', ok: false });
  });

  it('refuses named and ordinal parameters in one statement, as Spark does (INVALID_QUERY_MIXED_QUERY_PARAMETERS)', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const client = clientFor(w.base, w.resources.warehouse!.http_path, `Bearer ${w.resources.pat}`);
    const open = await client.OpenSession(
      new ttypes.TOpenSessionReq({ client_protocol: ttypes.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8 }),
    );
    const value = (v: string) => new ttypes.TSparkParameterValue({ stringValue: v });
    const res = await client.ExecuteStatement(
      new ttypes.TExecuteStatementReq({
        sessionHandle: open.sessionHandle!,
        statement: 'SELECT :a, ?',
        runAsync: false,
        parameters: [
          new ttypes.TSparkParameter({ name: 'a', type: 'INT', value: value('1') }),
          new ttypes.TSparkParameter({ type: 'INT', value: value('2') }),
        ],
      }),
    );
    expect(res.status.statusCode).toBe(ttypes.TStatusCode.ERROR_STATUS);
    expect(res.status.errorMessage).toMatch(/^\[INVALID_QUERY_MIXED_QUERY_PARAMETERS\] /);
    expect(res.status.sqlState).toBe('42613');
  });

  it('answers with direct results when asked: status, metadata, first rows, and the closing when they are all', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const client = clientFor(w.base, w.resources.warehouse!.http_path, `Bearer ${w.resources.pat}`);
    const open = await client.OpenSession(
      new ttypes.TOpenSessionReq({
        client_protocol: ttypes.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
        configuration: { 'use:catalog': 'samples', 'use:database': 'nyctaxi' },
      }),
    );
    const sessionHandle = open.sessionHandle!;
    const run = (statement: string, maxRows?: number) =>
      client.ExecuteStatement(
        new ttypes.TExecuteStatementReq({
          sessionHandle,
          statement,
          runAsync: true,
          ...(maxRows === undefined
            ? {}
            : { getDirectResults: new ttypes.TSparkGetDirectResults({ maxRows: new thrift.Int64(maxRows) }) }),
        }),
      );
    const statusOf = (operationHandle: InstanceType<typeof ttypes.TOperationHandle>) =>
      client.GetOperationStatus(new ttypes.TGetOperationStatusReq({ operationHandle }));

    // All rows fit: the operation is over in one round trip, and closed on the server.
    const all = await run('SELECT fare_amount FROM trips ORDER BY fare_amount', 10);
    const d = all.directResults!;
    expect(d.operationStatus!.operationState).toBe(ttypes.TOperationState.FINISHED_STATE);
    expect(d.resultSetMetadata!.schema!.columns.map((c) => c.columnName)).toEqual(['fare_amount']);
    expect(d.resultSet!.results!.columns![0]!.doubleVal!.values).toEqual([7.5, 8, 9.5, 11.5, 18.5]);
    expect(d.resultSet!.hasMoreRows).toBe(false);
    expect(d.closeOperation!.status.statusCode).toBe(ttypes.TStatusCode.SUCCESS_STATUS);
    expect((await statusOf(all.operationHandle!)).status.statusCode).toBe(ttypes.TStatusCode.INVALID_HANDLE_STATUS);

    // More rows than maxRows: the first ones, the operation left open for FetchResults.
    const part = await run('SELECT fare_amount FROM trips ORDER BY fare_amount', 2);
    expect(part.directResults!.resultSet!.results!.columns![0]!.doubleVal!.values).toEqual([7.5, 8]);
    expect(part.directResults!.resultSet!.hasMoreRows).toBe(true);
    expect(part.directResults!.closeOperation).toBeNull();
    const rest = await client.FetchResults(
      new ttypes.TFetchResultsReq({
        operationHandle: part.operationHandle!,
        orientation: ttypes.TFetchOrientation.FETCH_NEXT,
        maxRows: new thrift.Int64(10),
      }),
    );
    expect(rest.results!.columns![0]!.doubleVal!.values).toEqual([9.5, 11.5, 18.5]);

    // A statement without a result set (DDL) is finished and closed; a failing one carries its error.
    const ddl = await run('CREATE TABLE main.default.direct_t (id INT)', 10);
    expect(ddl.operationHandle!.hasResultSet).toBe(false);
    expect(ddl.directResults!.resultSet).toBeNull();
    expect(ddl.directResults!.closeOperation).not.toBeNull();
    const bad = await run('SELECT * FROM nope', 10);
    expect(bad.directResults!.operationStatus!.operationState).toBe(ttypes.TOperationState.ERROR_STATE);
    expect(bad.directResults!.operationStatus!.errorMessage).toContain('TABLE_OR_VIEW_NOT_FOUND');

    // Catalog calls too; without getDirectResults, no direct results (the client polls).
    const catalogs = await client.GetCatalogs(
      new ttypes.TGetCatalogsReq({
        sessionHandle,
        getDirectResults: new ttypes.TSparkGetDirectResults({ maxRows: new thrift.Int64(100) }),
      }),
    );
    expect(catalogs.directResults!.resultSet!.results!.columns![0]!.stringVal!.values).toContain('samples');
    const plain = await run('SELECT 1');
    expect(plain.directResults).toBeNull();
    expect((await statusOf(plain.operationHandle!)).status.statusCode).toBe(ttypes.TStatusCode.SUCCESS_STATUS);
  });

  it('keeps sessions to the credentials that opened them', async () => {
    w = await startWorkspace(['AUTH_PAT']);
    const other = await w.connect(['AUTH_PAT'], { partner: 'Other Partner' });
    const mine = clientFor(w.base, w.resources.warehouse!.http_path, `Bearer ${w.resources.pat}`);
    const open = await mine.OpenSession(
      new ttypes.TOpenSessionReq({ client_protocol: ttypes.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10 }),
    );
    const theirs = clientFor(w.base, other.warehouse!.http_path, `Bearer ${other.pat}`);
    const stolen = await theirs.ExecuteStatement(
      new ttypes.TExecuteStatementReq({ sessionHandle: open.sessionHandle!, statement: 'SELECT 1', runAsync: false }),
    );
    expect(stolen.status.statusCode).toBe(ttypes.TStatusCode.INVALID_HANDLE_STATUS);
  });
});
