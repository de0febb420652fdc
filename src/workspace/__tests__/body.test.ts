import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express, { type NextFunction, type Request, type Response } from 'express';
import { request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { textBody } from '../body.js';

/** Two routes, one read by express.text and one by textBody, answering what each read (or its error). */
function app(limit: string) {
  const a = express();
  const show = (req: Request, res: Response) => res.json({ body: req.body ?? null });
  a.post('/text', express.text({ type: () => true, limit }), show);
  a.post('/mine', textBody(limit), show);
  a.use((err: { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) =>
    res.status(err.status ?? 500).json({ error: err.type ?? 'none' }),
  );
  return a;
}

/** One POST with exactly these headers, the body sent in the given parts. */
function post(port: number, path: string, headers: Record<string, string>, parts: Buffer[]) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    for (const p of parts.slice(0, -1)) req.write(p);
    req.end(parts.at(-1));
  });
}

describe('textBody reads a workspace request body as express.text does', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = app('1kb').listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  const json = Buffer.from('{"statement":"SELECT \'é€😀\'"}');
  const euro = Buffer.from('€');
  const cases: Array<[string, Record<string, string>, Buffer[]]> = [
    ['JSON', { 'content-type': 'application/json' }, [json]],
    ['no Content-Type', {}, [json]],
    ['charset=UTF-8', { 'content-type': 'application/json; charset=UTF-8' }, [json]],
    ['a BOM', { 'content-type': 'application/json' }, [Buffer.from([0xef, 0xbb, 0xbf]), json]],
    [
      'a character split across writes',
      {},
      [Buffer.from('"a'), euro.subarray(0, 1), euro.subarray(1), Buffer.from('"')],
    ],
    ['invalid UTF-8', {}, [Buffer.from([0x22, 0xe2, 0x41, 0xff, 0x22])]],
    ['an empty body', { 'content-type': 'application/json' }, [Buffer.alloc(0)]],
    [
      'latin1 (express.text decodes)',
      { 'content-type': 'text/plain; charset=latin1' },
      [Buffer.from([0x22, 0xe9, 0x22])],
    ],
    ['an unknown charset', { 'content-type': 'text/plain; charset=x-nope' }, [json]],
    ['a malformed Content-Type', { 'content-type': 'application/json; charset' }, [json]],
    ['gzip', { 'content-encoding': 'gzip' }, [gzipSync(json)]],
    ['an unknown encoding', { 'content-encoding': 'x-nope' }, [json]],
    ['too large', { 'content-type': 'application/json' }, [Buffer.alloc(1025, 0x20)]],
    ['just within the limit', { 'content-type': 'application/json' }, [Buffer.alloc(1024, 0x20)]],
    ['chunked', { 'transfer-encoding': 'chunked' }, [json.subarray(0, 5), json.subarray(5)]],
  ];
  for (const [what, headers, parts] of cases) {
    it(`with ${what}`, async () => {
      const length = parts.reduce((n, p) => n + p.length, 0);
      const h = headers['transfer-encoding'] ? headers : { ...headers, 'content-length': String(length) };
      const [theirs, mine] = [await post(port, '/text', h, parts), await post(port, '/mine', h, parts)];
      expect(mine).toEqual(theirs);
    });
  }

  it('with no body at all (no Content-Length, not chunked)', async () => {
    const none = (path: string) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        const s = connect(port, '127.0.0.1', () =>
          s.end(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
        );
        s.setEncoding('utf8').on('data', (c: string) => (text += c));
        s.on('end', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
        s.on('error', reject);
      });
    expect(await none('/mine')).toBe(await none('/text'));
    expect(await none('/mine')).toBe('{"body":null}');
  });
});
