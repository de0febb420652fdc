/**
 * A partner that misbehaves at the socket level: a raw `node:net` server (no HTTP library in
 * the way) that answers each request with one fault, chosen by the first path segment of the
 * request: `base_url` = `${url}/f/<fault>`, so one server serves every fault of the matrix.
 * Loopback only; close() destroys every socket it still holds (hangs and drips included).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export const FAULTS = [
  'ok',
  'reset',
  'hang',
  'drip',
  'empty',
  'non-json',
  'wrong-content-type',
  'truncated-json',
  'redirect',
  'huge',
  'invalid-utf8',
  'duplicate-keys',
  'duplicate-keys-same',
  'int64-overflow',
  'enum-case',
  'http10',
  'http10-cut',
  'script',
] as const;
export type SocketFault = (typeof FAULTS)[number];

/** Size of the `huge` answer. */
export const HUGE_BYTES = 10 * 1024 * 1024;

export interface MisbehavingPartner {
  url: string;
  port: number;
  /** A valid partner.json (the raw object) whose Connect calls get `fault`. */
  configFor(fault: SocketFault, name?: string): Record<string, unknown>;
  /** Body bytes the server wrote for each fault (the `huge` answer stops when the client hangs up). */
  bytesWritten: Map<string, number>;
  /** Requests received per fault. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

export const SCRIPT = '<script>alert("pcsim-xss")</script>';

interface Parsed {
  method: string;
  path: string;
}

function head(status: string, headers: Record<string, string | number>, version = 'HTTP/1.1'): string {
  return `${version} ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
}

export async function startMisbehavingPartner(): Promise<MisbehavingPartner> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const bytesWritten = new Map<string, number>();
  const requests = new Map<string, number>();
  let port = 0;

  const connection = (uri: string) =>
    JSON.stringify({
      redirect_uri: uri,
      redirect_value: 'create_trial',
      user_status: 'new',
      account_status: 'new',
      configured_resources: true,
      connection_id: 'conn-robust-1',
    });

  const json = (body: string | Buffer, type = 'application/json') => {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    return Buffer.concat([
      Buffer.from(head('200 OK', { 'Content-Type': type, 'Content-Length': buf.length, Connection: 'close' })),
      buf,
    ]);
  };

  function answer(socket: Socket, req: Parsed): void {
    const m = /^\/f\/([a-z0-9-]+)(\/.*)?$/.exec(req.path);
    const landing = `http://127.0.0.1:${port}/landing`;
    if (!m) {
      // The redirect_uri page (GET /landing) and anything else: a small HTML page.
      socket.end(
        Buffer.concat([
          Buffer.from(head('200 OK', { 'Content-Type': 'text/html', 'Content-Length': 22, Connection: 'close' })),
          Buffer.from('<html>welcome</html>\r\n'),
        ]),
      );
      return;
    }
    const fault = m[1] as SocketFault;
    requests.set(fault, (requests.get(fault) ?? 0) + 1);
    const ok = connection(landing);
    switch (fault) {
      case 'ok':
        socket.end(json(ok));
        return;
      case 'reset': {
        // Promises 4000 bytes, sends 30, then an RST.
        socket.write(
          head('200 OK', { 'Content-Type': 'application/json', 'Content-Length': 4000 }) + ok.slice(0, 30),
          () => socket.resetAndDestroy(),
        );
        return;
      }
      case 'hang':
        return; // reads the request, never answers
      case 'drip': {
        socket.write(head('200 OK', { 'Content-Type': 'application/json', 'Content-Length': ok.length }));
        let i = 0;
        const t = setInterval(() => {
          if (socket.destroyed || i >= ok.length) {
            clearInterval(t);
            timers.delete(t);
            return;
          }
          socket.write(ok[i++]!);
        }, 50);
        timers.add(t);
        return;
      }
      case 'empty':
        socket.end(head('200 OK', { 'Content-Type': 'application/json', 'Content-Length': 0, Connection: 'close' }));
        return;
      case 'non-json':
        socket.end(json('Thanks! Your trial is being set up.', 'text/plain'));
        return;
      case 'wrong-content-type':
        socket.end(json(ok, 'text/plain'));
        return;
      case 'truncated-json':
        socket.end(json(ok.slice(0, ok.length - 20)));
        return;
      case 'redirect':
        socket.end(
          head('302 Found', {
            Location: `http://127.0.0.1:${port}/f/ok/connect`,
            'Content-Length': 0,
            Connection: 'close',
          }),
        );
        return;
      case 'huge': {
        socket.write(
          head('200 OK', { 'Content-Type': 'application/json', 'Content-Length': HUGE_BYTES, Connection: 'close' }),
        );
        const chunk = Buffer.alloc(64 * 1024, 0x20); // spaces: a valid JSON prefix that never ends
        let sent = 0;
        const pump = () => {
          while (sent < HUGE_BYTES && !socket.destroyed) {
            const n = Math.min(chunk.length, HUGE_BYTES - sent);
            sent += n;
            bytesWritten.set(fault, sent);
            if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n)))
              return void socket.once('drain', pump);
          }
          if (!socket.destroyed) socket.end();
        };
        pump();
        return;
      }
      case 'invalid-utf8':
        socket.end(
          json(
            Buffer.concat([
              Buffer.from('{"redirect_uri":"'),
              Buffer.from([0xff, 0xfe, 0xc3]),
              Buffer.from(`","rest":${ok}}`),
            ]),
          ),
        );
        return;
      case 'duplicate-keys':
        socket.end(json(`{"connection_id":"conn-first",${ok.slice(1)}`));
        return;
      case 'duplicate-keys-same':
        socket.end(json(`{"user_status":"new",${ok.slice(1)}`));
        return;
      case 'int64-overflow':
        socket.end(json(ok.replace('"conn-robust-1"', '123456789012345678901234567890')));
        return;
      case 'enum-case':
        socket.end(json(ok.replace('"create_trial"', '"CREATE_TRIAL"')));
        return;
      case 'http10':
        // HTTP/1.0, no Content-Length: the body ends when the connection closes (legal HTTP).
        socket.end(Buffer.from(head('200 OK', { 'Content-Type': 'application/json' }, 'HTTP/1.0') + ok));
        return;
      case 'http10-cut':
        // Close-delimited too, but the partner closes half-way through its JSON.
        socket.end(Buffer.from(head('200 OK', { 'Content-Type': 'application/json' }, 'HTTP/1.0') + ok.slice(0, 40)));
        return;
      case 'script': {
        const body = {
          error_reason: 'general_error',
          display_message: `${SCRIPT} & <img src=x onerror=alert(1)>`,
          debugging_message: SCRIPT,
        };
        const text = JSON.stringify(body);
        socket.end(
          Buffer.concat([
            Buffer.from(
              head('500 Internal Server Error', {
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(text),
                Connection: 'close',
              }),
            ),
            Buffer.from(text),
          ]),
        );
        return;
      }
      default:
        socket.end(head('404 Not Found', { 'Content-Length': 0, Connection: 'close' }));
    }
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headText = buf.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      done = true;
      const [method = 'GET', path = '/'] = headText.split('\r\n')[0]!.split(' ');
      answer(socket, { method, path });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    bytesWritten,
    requests,
    configFor: (fault, name = `Faulty ${fault}`) => ({
      api_version: '2.1.1',
      name,
      description_blurb: 'A partner that misbehaves on purpose.',
      category: 'INGEST',
      base_url: `${url}/f/${fault}`,
      endpoints: { connect_path: '/connect' },
      sign_up_page: `${url}/signup`,
      privacy_policy: `${url}/privacy`,
      terms_of_service: `${url}/terms`,
      logo_file: 'logo.svg',
      icon_file: 'icon.svg',
      resources_to_provision: [{ resource_type: 'PAT' }],
      supported_clouds: ['aws', 'azure', 'gcp'],
      hostnames: ['127.0.0.1'],
      new_user_action: 'auto_add',
    }),
    close: async () => {
      for (const t of timers) clearInterval(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
