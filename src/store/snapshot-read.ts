/**
 * Reads pcsim.json (the layout store/snapshot.ts writes) as a stream of lines: one buffer of
 * 1 MB is read into again and again, and the records are parsed a batch of ~64 KB at a time.
 * Neither the whole file nor a whole collection ever exists as one buffer or one string, so a
 * start at 100k connections (140 MB) allocates only what the parsed records need: reading it
 * whole cost 0.5 s more for the buffer and the strings, fresh memory being slow to touch.
 *
 * Lines of this layout, each ending in `\n`:
 *   `{"version":1,…,"wal_seq":12,`      the small fields
 *   `"workspaces":[`                      a collection starts (`"users":[],` when empty)
 *   `{…},` … `{…}`                        its records, one per line (any JSON value)
 *   `],`                                  it ends
 *   `"wal_mark":"…","wal_native":true}`   the end
 * A file of an older pcsim (pretty-printed JSON) is read whole, exactly.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { parseExactJson, parseJson, unmarkBigints } from '../contract/json.js';
import { END, LOG_FIELDS } from './snapshot.js';

export interface SnapshotRead {
  value: unknown;
  /** False when the file was in an older pcsim's layout (rewritten in this one soon after). */
  current: boolean;
  bytes: number;
}

const CHUNK = 1 << 20;
/** Bytes of record lines per JSON.parse: the strings stay small enough for the young generation. */
const BATCH = 64 << 10;
const NL = 0x0a;
const [CLOSE_BRACKET, QUOTE, COMMA] = [0x5d, 0x22, 0x2c];
const FIELD = /^"([^"\\]+)":\[(\])?,?$/;

/**
 * The state in `file`, or null when there is none. Content that is neither this layout nor JSON
 * throws a SyntaxError naming the line (and the collection); any other error is the file
 * system's. `sizes`: tests read with tiny chunks and batches.
 */
export async function readSnapshot(file: string, sizes = { chunk: CHUNK, batch: BATCH }): Promise<SnapshotRead | null> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const { size } = await fh.stat();
    const tail = Buffer.alloc(Math.min(200, size));
    await fh.read(tail, 0, tail.length, size - tail.length);
    const end = END.exec(tail.toString('latin1'));
    if (!end) return { value: parseOlderLayout((await readFile(file)).toString('utf8')), current: false, bytes: size };
    const mark = JSON.parse(end[1]!) as string;
    const { state, logs } = await readLines(fh, sizes.chunk, sizes.batch);
    if (end[2] === 'false') unmarkBigints(state, mark);
    return { value: Object.assign(state, unmarkBigints(logs, mark)), current: true, bytes: size };
  } finally {
    await fh.close();
  }
}

async function readLines(fh: FileHandle, chunk: number, batch: number) {
  const state: Record<string, unknown> = {};
  const logs: Record<string, unknown> = {};
  let buf = Buffer.allocUnsafe(chunk);
  let kept = 0; // bytes at the start of buf not yet taken (a line's beginning)
  let line = 0; // number of the line at buf[0]…
  let list: unknown[] | undefined; // the collection being read
  let name = '';
  let ended = false;
  let head = false;
  // The records not yet parsed: buf[from, to) holds lines firstLine… of them.
  let from = -1,
    to = -1,
    firstLine = 0;
  const flush = () => {
    if (from < 0) return;
    const text = buf.toString('utf8', from, buf[to - 1] === COMMA ? to - 1 : to);
    let records: unknown[];
    try {
      records = JSON.parse(`[${text}]`) as unknown[];
    } catch {
      throw recordError(text, name, firstLine);
    }
    for (let i = 0; i < records.length; i++) list!.push(records[i]);
    from = -1;
  };
  for await (const block of blocks(fh, chunk)) {
    // a line longer than the buffer: grow it
    if (kept + block.length > buf.length) buf = Buffer.concat([buf.subarray(0, kept), block]);
    else block.copy(buf, kept);
    const filled = kept + block.length;
    let start = 0;
    for (let nl = buf.indexOf(NL, 0); nl >= 0 && nl < filled; nl = buf.indexOf(NL, start)) {
      // The line without the blanks around it (a hand-edited file may indent, or end lines in \r\n).
      let [a, z] = [start, nl];
      while (a < z && isBlank(buf[a]!)) a++;
      while (z > a && isBlank(buf[z - 1]!)) z--;
      const first = buf[a];
      if (a === z) {
        // a blank line: JSON allows it anywhere
      } else if (ended) throw lineError(line, 'text after the end of the state');
      else if (list && first === CLOSE_BRACKET && (z - a === 1 || (z - a === 2 && buf[a + 1] === COMMA))) {
        flush();
        list = undefined;
      } else if (list) {
        if (from < 0) [from, firstLine] = [a, line];
        to = z;
        if (to - from >= batch) flush();
      } else if (!list && head && first === QUOTE) {
        const text = buf.toString('utf8', a, z);
        if (/^"wal_mark":/.test(text)) ended = true;
        else {
          const field = FIELD.exec(text);
          if (!field) throw lineError(line, `expected a collection ("name":[), found ${excerpt(text)}`);
          name = field[1]!;
          const value: unknown[] = [];
          ((LOG_FIELDS as readonly string[]).includes(name) ? logs : state)[name] = value;
          list = field[2] ? undefined : value;
        }
      } else if (!head) {
        const text = buf.toString('utf8', a, z);
        try {
          Object.assign(state, JSON.parse(`${text.replace(/,$/, '')}}`));
        } catch (err) {
          throw lineError(line, (err as Error).message);
        }
        head = true;
      } else {
        throw lineError(line, `unexpected ${excerpt(buf.toString('utf8', a, z))}${list ? ` in "${name}"` : ''}`);
      }
      start = nl + 1;
      line++;
    }
    flush(); // the batch lies in buf, which is read into next
    buf.copy(buf, 0, start, filled);
    kept = filled - start;
  }
  if (!ended) throw new SyntaxError(`it ends at line ${line + 1}${list ? `, inside "${name}"` : ''}, before its end`);
  return { state, logs };
}

/**
 * The file's blocks in order, from where it stands: the next is read (by libuv's thread pool)
 * while the caller parses this one. A block is valid until the caller asks for the one after next.
 */
async function* blocks(fh: FileHandle, size: number): AsyncGenerator<Buffer> {
  const spare = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
  const readInto = (b: Buffer) => {
    const read = fh.read(b, 0, size, null);
    read.catch(() => undefined); // awaited below; a caller that stopped early never sees it fail
    return read;
  };
  let i = 0;
  let pending = readInto(spare[0]!);
  for (;;) {
    const { bytesRead, buffer } = await pending;
    if (bytesRead === 0) return;
    pending = readInto(spare[++i % 2]!);
    yield buffer.subarray(0, bytesRead);
  }
}

/** Space, tab or carriage return: JSON whitespace other than the newline that ends a line. */
const isBlank = (byte: number) => byte === 0x20 || byte === 0x09 || byte === 0x0d;

const excerpt = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
const lineError = (line: number, problem: string) => new SyntaxError(`line ${line + 1}: ${problem}`);

/** The first record line of a batch that does not parse, named with its line and collection. */
function recordError(text: string, name: string, firstLine: number): SyntaxError {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    try {
      JSON.parse(lines[i]!.replace(/,$/, ''));
    } catch (err) {
      return lineError(firstLine + i, `in its "${name}" collection: ${(err as Error).message}`);
    }
  }
  return lineError(firstLine, `in its "${name}" collection: records that do not parse together`);
}

/** An integer literal a double cannot hold (outside a string): the text needs the exact parser. */
const UNSAFE_INTEGER = /(?<![\w."\\])-?\d{16,}/;
/** Exact JSON, natively when no integer needs more than a double. */
function parseExact(text: string): unknown {
  return UNSAFE_INTEGER.test(text) ? parseExactJson(text) : JSON.parse(text);
}

/** pcsim before the chunked layout: pretty-printed, the journal and activity last (or any JSON). */
function parseOlderLayout(text: string): unknown {
  const at = text.lastIndexOf(',\n  "journal": ');
  if (at > 0 && text.startsWith('{')) {
    try {
      const head = parseExact(`${text.slice(0, at)}\n}`) as Record<string, unknown>;
      const tail = parseJson(`{${text.slice(at + 1)}`) as Record<string, unknown>;
      return { ...head, ...tail };
    } catch {
      // not that layout after all: the general parser below says what is wrong
    }
  }
  return parseExact(text);
}
