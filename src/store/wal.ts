/**
 * The write-ahead log: `pcsim.wal.jsonl`, one line per committed batch, `{"seq":N,"ops":[…]}`.
 * When a compaction starts, the log is set aside as `pcsim.wal.<seq>.jsonl` (the last batch it
 * holds) and a new one begins, so batches keep being committed while pcsim.json is rewritten; a
 * set-aside segment is removed once a snapshot covers it. Opening replays, after the snapshot's
 * sequence number, the segments in order and then the log.
 */
import { constants } from 'node:fs';
import { open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { parseExactJson, stringifyExactJson } from '../contract/json.js';
import type { Op } from './tracker.js';

export const LOG_FILE_NAME = 'pcsim.wal.jsonl';
const SEGMENT = /^pcsim\.wal\.(\d+)\.jsonl$/;

export interface Batch {
  seq: number;
  ops: Op[];
}

/** Why a log line cannot be read (not the torn last line a crash leaves): the caller names the file. */
export class LogLineError extends Error {
  constructor(
    readonly file: string,
    readonly lineNo: number,
    override readonly cause: unknown,
  ) {
    super(`line ${lineNo} is not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`);
  }
}

/** The set-aside segments of `dir`, oldest first, with the last sequence number each holds. */
export async function segments(dir: string): Promise<Array<{ file: string; upTo: number }>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .map((n) => ({ n, m: SEGMENT.exec(n) }))
    .filter((x) => x.m)
    .map((x) => ({ file: path.join(dir, x.n), upTo: Number(x.m![1]) }))
    .sort((a, b) => a.upTo - b.upTo);
}

/** The batches after `seq` in one log file; a torn last line (a crash mid-append) is ignored. */
async function readOne(file: string, seq: number, out: Batch[]): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l === '') continue;
    let entry: Batch;
    try {
      entry = parseExactJson(l) as Batch;
    } catch (err) {
      if (i >= lines.length - 2) break; // the last line, cut by a crash: never acknowledged
      throw new LogLineError(file, i + 1, err);
    }
    if (entry.seq > seq) out.push(entry);
  }
  return text.length;
}

/** Every batch after `seq`: the segments, then the log. `bytes`: the size of the log itself. */
export async function readLogs(dir: string, seq: number): Promise<{ batches: Batch[]; bytes: number }> {
  const batches: Batch[] = [];
  for (const s of await segments(dir)) if (s.upTo > seq) await readOne(s.file, seq, batches);
  const bytes = await readOne(path.join(dir, LOG_FILE_NAME), seq, batches);
  return { batches, bytes };
}

/**
 * Where the system has it, the log is opened O_DSYNC: each write returns once its data is on disk,
 * so a batch is one write instead of a write and an fdatasync (each a trip through libuv's thread
 * pool, which costs the event loop tens of µs a trip on a small VM). Elsewhere: write + fdatasync.
 */
const DSYNC = constants.O_DSYNC ?? 0;
const FLAGS = DSYNC ? constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | DSYNC : 'a';

/** Appends batches durably; one file handle, kept open between batches. */
export class LogWriter {
  readonly file: string;
  #fh: FileHandle | undefined;
  bytes: number;
  constructor(
    readonly dir: string,
    bytes: number,
  ) {
    this.file = path.join(dir, LOG_FILE_NAME);
    this.bytes = bytes;
  }

  /** Writes one batch and resolves once it is on disk. */
  async append(batch: Batch): Promise<void> {
    const data = Buffer.from(`${stringifyExactJson(batch)}\n`);
    this.#fh ??= await open(this.file, FLAGS);
    for (let at = 0; at < data.length;) at += (await this.#fh.write(data, at)).bytesWritten;
    if (!DSYNC) await this.#fh.datasync();
    this.bytes += data.length;
  }

  /** Sets the log aside as the segment up to `seq`; the next append starts a new log. */
  async rotate(seq: number): Promise<void> {
    await this.close();
    await rename(this.file, path.join(this.dir, `pcsim.wal.${seq}.jsonl`)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    this.bytes = 0;
  }

  /** Removes the log and the segments a snapshot at `seq` covers. */
  async dropCovered(seq: number, includingLog: boolean): Promise<void> {
    for (const s of await segments(this.dir)) if (s.upTo <= seq) await rm(s.file, { force: true });
    if (includingLog) {
      await this.close();
      await rm(this.file, { force: true });
      this.bytes = 0;
    }
  }

  async close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = undefined;
    await fh?.close();
  }
}
