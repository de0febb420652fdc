/**
 * TCLIService (HiveServer2's Thrift API, as Databricks SQL warehouses serve it to the JDBC/ODBC
 * drivers and @databricks/sql): sessions and operations of one workspace router. Statements run
 * through the SQL engine like the REST Statement Execution API (sql-adapter.ts); catalog calls are
 * answered from the tables the workspace knows (metadata.ts). Loaded on the first Thrift request.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import thrift from 'thrift';
import type { Int64 } from '../../contract/int64.js';
import type { Store } from '../../store/types.js';
import { VERSION } from '../../version.js';
import type { SqlEngine } from '../sql.js';
import type { Principal } from '../tokens.js';
import type { ActivityKind } from '../types.js';
import TCLIService from './gen/TCLIService.cjs';
import ttypes from './gen/TCLIService_types.cjs';
import * as meta from './metadata.js';
import { rowSet } from './results.js';
import { metadataOf, runStatement, type StatementOutcome } from './sql-adapter.js';
import {
  DIRECT_WAIT_MS,
  directResults,
  fetchNext,
  metadataAnswer,
  ok,
  statusOf,
  waitFor,
  type Handle,
  type Operation,
} from './operations.js';
import { bindParameters, type Bound } from './parameters.js';

/**
 * Databricks' SPARK_CLI_SERVICE_PROTOCOL_V8: the drivers send query parameters only to such a server.
 * They then offer Arrow, cloud fetch and LZ4 too; the server chooses, and answers COLUMN_BASED_SET
 * uncompressed inline rows (resultFormat), which every driver reads.
 */
export const SERVER_PROTOCOL = ttypes.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8;
const OPERATION_LIMIT = 1000;

interface Session {
  key: string;
  handle: Handle;
  resources_id: string;
  workspace_id: Int64;
  catalog?: string;
  schema?: string;
}

/** What one Thrift call is recorded as (activity.ts), besides who made it. */
export interface CallRecord {
  kind: ActivityKind;
  /** SQL: the catalogs the statement used. */
  catalogs?: string[];
  ok: boolean;
  detail: string;
  table?: { name: string; location?: string; managed: boolean };
  error?: string;
}

export interface CallContext {
  principal: Principal;
  store: Store;
  engine: SqlEngine;
  now: () => Date;
  /** Records one call as activity; statements run in the background record when they finish. */
  record(entry: CallRecord): Promise<void>;
}

const keyOf = (h: Handle | undefined) => (h?.guid ? Buffer.from(h.guid).toString('hex') : '');
// The guid is a UUID (drivers print it as one, and check its version bits); the secret is random.
const newHandle = (): Handle =>
  new ttypes.THandleIdentifier({ guid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'), secret: randomBytes(16) });
const failed = (message: string, sqlState?: string) =>
  new ttypes.TStatus({ statusCode: ttypes.TStatusCode.ERROR_STATUS, errorMessage: message, sqlState });
const invalid = (what: string) =>
  new ttypes.TStatus({
    statusCode: ttypes.TStatusCode.INVALID_HANDLE_STATUS,
    errorMessage: `Invalid ${what} handle: it is unknown, closed, or belongs to other credentials. Expected a handle this connection opened.`,
  });
const sqlStateOf = (message: string) => /SQLSTATE: ([0-9A-Z]{5})/.exec(message)?.[1];

/** Sessions and operations of one workspace (router): kept in memory, like a warehouse's. */
export class ThriftSessions {
  readonly sessions = new Map<string, Session>();
  readonly operations = new Map<string, Operation>();

  addOperation(op: Operation): void {
    if (this.operations.size >= OPERATION_LIMIT) this.operations.delete(this.operations.keys().next().value!);
    this.operations.set(op.key, op);
  }
}

function toResultSet(o: StatementOutcome): meta.ResultSet {
  return meta.settleTypes({
    columns: o.columns.map((c) => ({ name: c.name, type: c.type_text || c.type_name })),
    rows: o.rows,
  });
}

/** The TCLIService handler for one HTTP request: `c.principal` is who sent it. */
export function createHandler(sessions: ThriftSessions, c: CallContext) {
  const sessionOf = (h: { sessionId?: Handle } | undefined): Session | undefined => {
    const s = sessions.sessions.get(keyOf(h?.sessionId));
    if (!s || !h?.sessionId?.secret || !Buffer.from(h.sessionId.secret).equals(Buffer.from(s.handle.secret)))
      return undefined;
    return s.resources_id === c.principal.resources.id ? s : undefined;
  };
  const operationOf = (h: { operationId?: Handle } | undefined): Operation | undefined => {
    const op = sessions.operations.get(keyOf(h?.operationId));
    return op && sessions.sessions.get(op.session)?.resources_id === c.principal.resources.id ? op : undefined;
  };
  const opHandle = (op: Operation) =>
    new ttypes.TOperationHandle({
      operationId: op.handle,
      operationType: op.type,
      hasResultSet: op.state !== 'FINISHED' || (op.result?.columns.length ?? 0) > 0,
    });
  const read = (detail: string, okay = true) => c.record({ kind: 'read', ok: okay, detail: `Thrift ${detail}` });
  const close = (op: Operation) => {
    op.state = 'CLOSED';
    sessions.operations.delete(op.key);
  };

  /** A catalog call: answered at once, as a finished operation with a result set. */
  const metadataOp = async (
    name: string,
    req: { sessionHandle?: { sessionId?: Handle }; getDirectResults?: { maxRows?: unknown } | null },
    type: number,
    build: (m: () => ReturnType<typeof metadataOf>) => meta.ResultSet | Promise<meta.ResultSet>,
  ) => {
    const session = sessionOf(req.sessionHandle);
    await read(name, session !== undefined);
    if (!session) return { status: invalid('session') };
    const op: Operation = {
      key: '',
      session: session.key,
      handle: newHandle(),
      type,
      state: 'FINISHED',
      result: await build(() => metadataOf(c, c.principal.workspace_id)),
      offset: 0,
      started: Date.now(),
      finished: Date.now(),
    };
    op.key = keyOf(op.handle);
    sessions.addOperation(op);
    return { status: ok(), operationHandle: opHandle(op), ...directResults(op, req.getDirectResults, close) };
  };

  const finish = async (op: Operation, statement: string, session: Session, bound: Bound): Promise<void> => {
    const outcome: StatementOutcome =
      'error' in bound
        ? {
            state: 'FAILED',
            kind: 'query',
            columns: [],
            rows: [],
            error: { error_code: 'INVALID_QUERY_MIXED_QUERY_PARAMETERS', message: bound.error, sql_state: '42613' },
          }
        : await runStatement(
            c,
            c.principal,
            statement,
            { catalog: session.catalog, schema: session.schema, parameters: bound.parameters, ordinal: bound.ordinal },
            c.now(),
          );
    op.finished = Date.now();
    if (op.state === 'CANCELED' || op.state === 'CLOSED') return;
    if (outcome.state === 'SUCCEEDED') Object.assign(op, { state: 'FINISHED', result: toResultSet(outcome) });
    else
      Object.assign(op, {
        state: 'ERROR',
        error: {
          message: outcome.error?.message ?? 'The statement failed.',
          sqlState: outcome.error?.sql_state ?? sqlStateOf(outcome.error?.message ?? ''),
        },
      });
    // USE sets the session's defaults, as a warehouse session keeps them; it is no query.
    if (outcome.state === 'SUCCEEDED' && outcome.defaults) Object.assign(session, outcome.defaults);
    const created = outcome.created;
    await c.record({
      kind: outcome.defaults ? 'read' : outcome.kind,
      catalogs: outcome.catalogs,
      ok: outcome.state === 'SUCCEEDED',
      detail: statement,
      table: created ? { name: created.name, location: created.location, managed: created.managed } : undefined,
      error: outcome.error?.message,
    });
  };

  const T = ttypes.TOperationType;
  return {
    async OpenSession(req: InstanceType<typeof ttypes.TOpenSessionReq>) {
      const conf = req.configuration ?? {};
      const s: Session = {
        key: '',
        handle: newHandle(),
        resources_id: c.principal.resources.id,
        workspace_id: c.principal.workspace_id,
        // Databricks' initialNamespace (what the drivers send), else Hive's use:catalog / use:database.
        catalog: req.initialNamespace?.catalogName || conf['use:catalog'] || undefined,
        schema: req.initialNamespace?.schemaName || conf['use:database'] || undefined,
      };
      s.key = keyOf(s.handle);
      sessions.sessions.set(s.key, s);
      await c.record({ kind: 'auth', ok: true, detail: 'Thrift OpenSession' });
      return new ttypes.TOpenSessionResp({
        status: ok(),
        serverProtocolVersion: SERVER_PROTOCOL,
        sessionHandle: new ttypes.TSessionHandle({ sessionId: s.handle }),
        configuration: {},
      });
    },

    async CloseSession(req: InstanceType<typeof ttypes.TCloseSessionReq>) {
      const s = sessionOf(req.sessionHandle);
      await read('CloseSession', s !== undefined);
      if (!s) return new ttypes.TCloseSessionResp({ status: invalid('session') });
      sessions.sessions.delete(s.key);
      for (const [k, op] of sessions.operations) if (op.session === s.key) sessions.operations.delete(k);
      return new ttypes.TCloseSessionResp({ status: ok() });
    },

    async GetInfo(req: InstanceType<typeof ttypes.TGetInfoReq>) {
      const s = sessionOf(req.sessionHandle);
      await read('GetInfo', s !== undefined);
      if (!s)
        return new ttypes.TGetInfoResp({
          status: invalid('session'),
          infoValue: new ttypes.TGetInfoValue({ stringValue: '' }),
        });
      const v = meta.infoValue(req.infoType, VERSION);
      if (v === undefined)
        return new ttypes.TGetInfoResp({
          status: failed(`Unrecognized GetInfoType value: ${req.infoType}`),
          infoValue: new ttypes.TGetInfoValue({ stringValue: '' }),
        });
      return new ttypes.TGetInfoResp({
        status: ok(),
        infoValue: new ttypes.TGetInfoValue(
          typeof v === 'number' ? { lenValue: new thrift.Int64(v) } : { stringValue: v },
        ),
      });
    },

    async ExecuteStatement(req: InstanceType<typeof ttypes.TExecuteStatementReq>) {
      const s = sessionOf(req.sessionHandle);
      if (!s) {
        await read('ExecuteStatement', false);
        return new ttypes.TExecuteStatementResp({ status: invalid('session') });
      }
      const op: Operation = {
        key: '',
        session: s.key,
        handle: newHandle(),
        type: T.EXECUTE_STATEMENT,
        state: 'RUNNING',
        offset: 0,
        started: Date.now(),
      };
      op.key = keyOf(op.handle);
      sessions.addOperation(op);
      const statement = String(req.statement ?? '');
      const bound = bindParameters(req.parameters);
      if (req.runAsync) {
        // The client polls GetOperationStatus; the outcome is recorded when the statement ends.
        const done = finish(op, statement, s, bound).catch((err: Error) =>
          Object.assign(op, { state: 'ERROR', error: { message: `INTERNAL_ERROR: ${err.message}` } }),
        );
        // Asked for direct results, the answer waits a while for the statement, as a warehouse does.
        if (req.getDirectResults) await waitFor(done, DIRECT_WAIT_MS);
        return new ttypes.TExecuteStatementResp({
          status: ok(),
          operationHandle: opHandle(op),
          ...directResults(op, req.getDirectResults, close),
        });
      }
      await finish(op, statement, s, bound);
      if (op.state === 'ERROR')
        return new ttypes.TExecuteStatementResp({
          status: failed(op.error!.message, op.error!.sqlState),
          operationHandle: opHandle(op),
        });
      return new ttypes.TExecuteStatementResp({
        status: ok(),
        operationHandle: opHandle(op),
        ...directResults(op, req.getDirectResults, close),
      });
    },

    GetTypeInfo: (req: InstanceType<typeof ttypes.TGetTypeInfoReq>) =>
      metadataOp('GetTypeInfo', req, T.GET_TYPE_INFO, () => meta.typeInfoResult()).then(
        (r) => new ttypes.TGetTypeInfoResp(r),
      ),
    GetCatalogs: (req: InstanceType<typeof ttypes.TGetCatalogsReq>) =>
      metadataOp('GetCatalogs', req, T.GET_CATALOGS, async (m) => meta.catalogsResult((await m()).catalogs)).then(
        (r) => new ttypes.TGetCatalogsResp(r),
      ),
    GetSchemas: (req: InstanceType<typeof ttypes.TGetSchemasReq>) =>
      metadataOp('GetSchemas', req, T.GET_SCHEMAS, async (m) =>
        meta.schemasResult((await m()).schemas, req.catalogName, req.schemaName),
      ).then((r) => new ttypes.TGetSchemasResp(r)),
    GetTables: (req: InstanceType<typeof ttypes.TGetTablesReq>) =>
      metadataOp('GetTables', req, T.GET_TABLES, async (m) =>
        meta.tablesResult((await m()).tables, {
          catalog: req.catalogName,
          schema: req.schemaName,
          table: req.tableName,
          types: req.tableTypes,
        }),
      ).then((r) => new ttypes.TGetTablesResp(r)),
    GetTableTypes: (req: InstanceType<typeof ttypes.TGetTableTypesReq>) =>
      metadataOp('GetTableTypes', req, T.GET_TABLE_TYPES, () => meta.tableTypesResult()).then(
        (r) => new ttypes.TGetTableTypesResp(r),
      ),
    GetColumns: (req: InstanceType<typeof ttypes.TGetColumnsReq>) =>
      metadataOp('GetColumns', req, T.GET_COLUMNS, async (m) =>
        meta.columnsResult((await m()).tables, {
          catalog: req.catalogName,
          schema: req.schemaName,
          table: req.tableName,
          column: req.columnName,
        }),
      ).then((r) => new ttypes.TGetColumnsResp(r)),

    async GetOperationStatus(req: InstanceType<typeof ttypes.TGetOperationStatusReq>) {
      const op = operationOf(req.operationHandle);
      await read('GetOperationStatus', op !== undefined);
      if (!op) return new ttypes.TGetOperationStatusResp({ status: invalid('operation') });
      return statusOf(op);
    },

    async CancelOperation(req: InstanceType<typeof ttypes.TCancelOperationReq>) {
      const op = operationOf(req.operationHandle);
      await read('CancelOperation', op !== undefined);
      if (!op) return new ttypes.TCancelOperationResp({ status: invalid('operation') });
      if (op.state === 'RUNNING') op.state = 'CANCELED';
      return new ttypes.TCancelOperationResp({ status: ok() });
    },

    async CloseOperation(req: InstanceType<typeof ttypes.TCloseOperationReq>) {
      const op = operationOf(req.operationHandle);
      await read('CloseOperation', op !== undefined);
      if (!op) return new ttypes.TCloseOperationResp({ status: invalid('operation') });
      close(op);
      return new ttypes.TCloseOperationResp({ status: ok() });
    },

    async GetResultSetMetadata(req: InstanceType<typeof ttypes.TGetResultSetMetadataReq>) {
      const op = operationOf(req.operationHandle);
      await read('GetResultSetMetadata', op !== undefined);
      if (!op) return new ttypes.TGetResultSetMetadataResp({ status: invalid('operation') });
      if (op.state !== 'FINISHED' || !op.result)
        return new ttypes.TGetResultSetMetadataResp({
          status: failed(
            `The operation is ${op.state.toLowerCase()}: it has no result set yet. Expected GetOperationStatus to say FINISHED first.`,
          ),
        });
      return metadataAnswer(op.result);
    },

    async FetchResults(req: InstanceType<typeof ttypes.TFetchResultsReq>) {
      const op = operationOf(req.operationHandle);
      await read('FetchResults', op !== undefined);
      if (!op) return new ttypes.TFetchResultsResp({ status: invalid('operation') });
      if (op.state !== 'FINISHED' || !op.result)
        return new ttypes.TFetchResultsResp({
          status: failed(
            `The operation is ${op.state.toLowerCase()}: it has no rows to fetch. Expected GetOperationStatus to say FINISHED first.`,
          ),
        });
      // fetchType 1 asks for the operation log, which the simulated warehouse does not keep.
      if (req.fetchType === 1)
        return new ttypes.TFetchResultsResp({
          status: ok(),
          hasMoreRows: false,
          results: rowSet({ columns: [{ name: 'operation_log', type: 'STRING' }], rows: [] }, 0, 0),
        });
      if (req.orientation === ttypes.TFetchOrientation.FETCH_FIRST) op.offset = 0;
      return fetchNext(op, op.result, req.maxRows);
    },
  };
}

/** Runs one Thrift message (binary protocol) through the handler; resolves with the reply's bytes. */
export function processMessage(handler: ReturnType<typeof createHandler>, body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const processor = new TCLIService.Processor(handler);
    const output = new thrift.TBinaryProtocol(
      new thrift.TBufferedTransport(undefined, (buf?: Buffer) => resolve(buf ?? Buffer.alloc(0))),
    );
    const receive = thrift.TBufferedTransport.receiver((transport) => {
      try {
        processor.process(new thrift.TBinaryProtocol(transport), output);
      } catch (err) {
        reject(err as Error);
      }
    }, 0);
    receive(body);
  });
}
