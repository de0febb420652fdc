/**
 * An operation of the SQL warehouse's Thrift service and its answers: the status (GetOperationStatus),
 * the result set metadata, a page of rows (FETCH_NEXT), and direct results, a Databricks extension of
 * HiveServer2 every Databricks driver asks for (getDirectResults): one answer carrying all of those,
 * and the closing when its rows are all in it.
 */
import thrift from 'thrift';
import ttypes from './gen/TCLIService_types.cjs';
import type * as meta from './metadata.js';
import { rowSet, tableSchema } from './results.js';

/** How long an ExecuteStatement asking for direct results waits for its statement before answering RUNNING. */
export const DIRECT_WAIT_MS = 5000;

export type Handle = InstanceType<typeof ttypes.THandleIdentifier>;
export type State = 'RUNNING' | 'FINISHED' | 'ERROR' | 'CANCELED' | 'CLOSED';

export interface Operation {
  key: string;
  session: string;
  handle: Handle;
  type: number;
  state: State;
  result?: meta.ResultSet;
  error?: { message: string; sqlState?: string };
  offset: number;
  started: number;
  finished?: number;
}

const STATES: Record<State, number> = {
  RUNNING: ttypes.TOperationState.RUNNING_STATE,
  FINISHED: ttypes.TOperationState.FINISHED_STATE,
  ERROR: ttypes.TOperationState.ERROR_STATE,
  CANCELED: ttypes.TOperationState.CANCELED_STATE,
  CLOSED: ttypes.TOperationState.CLOSED_STATE,
};

export const ok = () => new ttypes.TStatus({ statusCode: ttypes.TStatusCode.SUCCESS_STATUS });

export const statusOf = (op: Operation) =>
  new ttypes.TGetOperationStatusResp({
    status: ok(),
    operationState: STATES[op.state],
    sqlState: op.error?.sqlState,
    errorMessage: op.error?.message,
    displayMessage: op.error?.message,
    operationStarted: new thrift.Int64(op.started),
    operationCompleted: op.finished ? new thrift.Int64(op.finished) : undefined,
    // A statement without columns (DDL) has no result set: the drivers then fetch nothing.
    hasResultSet: op.state === 'FINISHED' ? (op.result?.columns.length ?? 0) > 0 : undefined,
  });

export const metadataAnswer = (result: meta.ResultSet) =>
  new ttypes.TGetResultSetMetadataResp({
    status: ok(),
    schema: tableSchema(result),
    resultFormat: ttypes.TSparkRowSetType.COLUMN_BASED_SET,
  });

/** The next `maxRows` rows (FETCH_NEXT), moving the operation's cursor. */
export function fetchNext(op: Operation, result: meta.ResultSet, maxRows: unknown) {
  const max = Math.max(0, Math.min(Number(maxRows ?? 10000), 100_000)) || 10000;
  const rows = rowSet(result, op.offset, max);
  op.offset = Math.min(op.offset + max, result.rows.length);
  return new ttypes.TFetchResultsResp({ status: ok(), hasMoreRows: op.offset < result.rows.length, results: rows });
}

/**
 * Direct results, when the client asked for them: an operation done when its call is answered
 * carries its status, and, finished, its result set metadata and first rows; when those are all its
 * rows it is closed (`close`) and says so (closeOperation), so the driver neither polls, fetches nor
 * closes. A failed operation carries its status (the error) and stays open until closed.
 */
export function directResults(
  op: Operation,
  want: { maxRows?: unknown } | null | undefined,
  close: (op: Operation) => void,
) {
  if (!want) return {};
  const out = new ttypes.TSparkDirectResults({ operationStatus: statusOf(op) });
  if (op.state === 'FINISHED') {
    const result = op.result ?? { columns: [], rows: [] };
    out.resultSetMetadata = metadataAnswer(result);
    // Rows only for a result set: a driver told hasResultSet false fetches nothing, prefetched or not.
    if (result.columns.length) out.resultSet = fetchNext(op, result, want.maxRows);
    if (!out.resultSet?.hasMoreRows) {
      close(op);
      out.closeOperation = new ttypes.TCloseOperationResp({ status: ok() });
    }
  }
  return { directResults: out };
}

/** Resolves when `p` settles or after `ms`, whichever is first. */
export function waitFor(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
