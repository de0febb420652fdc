/**
 * Reads a workspace API request's body as text. The common request (UTF-8 JSON or no Content-Type,
 * no Content-Encoding, a Content-Length within the limit) is read here, as express.text would read
 * it (UTF-8, a leading BOM dropped) without its per-request machinery (content-type parsing, a
 * decoder, async-hooks scopes): ~6 % of the main thread per SQL statement (profiled). Anything
 * else (chunked, compressed, another charset, too large, a malformed header) goes to express.text,
 * whose decoding and errors stay as they were.
 */
import bytes from 'bytes';
import express, { type NextFunction, type Request, type Response } from 'express';
import { StringDecoder } from 'node:string_decoder';

/** Content-Types read here (lower case): body-parser finds charset utf-8 or none in them. */
const PLAIN_TYPES = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
  'application/json; charset=utf8',
]);

/** Whether the request is one this reader takes (else express.text does). */
function plain(req: Request, max: number): boolean {
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined || h['content-encoding'] !== undefined) return false;
  const type = h['content-type'];
  if (type !== undefined && !PLAIN_TYPES.has(type.toLowerCase())) return false;
  const length = h['content-length'];
  return length === undefined || (/^\d{1,15}$/.test(length) && Number(length) <= max);
}

/** express.text({ type: () => true, limit }), reading the common request itself. */
export function textBody(limit: string) {
  const text = express.text({ type: () => true, limit });
  // In bytes as body-parser reads the same limit (null: not a limit it reads; express.text then answers).
  const max = bytes.parse(limit);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (max === null || !plain(req, max)) return text(req, res, next);
    // No Content-Length (and not chunked): no body, as body-parser's hasBody decides.
    if (req.headers['content-length'] === undefined) {
      req.body = undefined;
      return next();
    }
    const decoder = new StringDecoder('utf8');
    let body = '';
    let done = false;
    const fail = () => {
      if (done) return;
      done = true;
      // What raw-body reports for a request cut short (the client is gone: nobody reads the answer).
      next(Object.assign(new Error('request aborted'), { status: 400, type: 'request.aborted' }));
    };
    req.on('data', (chunk: Buffer) => (body += decoder.write(chunk)));
    req.once('aborted', fail);
    req.once('error', fail);
    req.once('end', () => {
      if (done) return;
      done = true;
      body += decoder.end();
      req.body = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
      next();
    });
  };
}
