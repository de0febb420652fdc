/**
 * HTTPS and HTTP on one port: the first byte of a connection tells them apart (a TLS handshake
 * starts with 0x16, an HTTP request with a letter). Payloads name https (the drivers and the
 * jdbc_url's ssl=1 require it); clients of an older pcsim that call http on the same port keep
 * working, and so do the admin API and UI. See docs/decisions/0011-workspace-https-and-thrift.md.
 */
import type { Server as HttpServer, RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { WorkspaceTls } from './certificate.js';
import type { ServerClasses } from '../http/app-classes.js';

const TLS_HANDSHAKE = 0x16;

export interface TlsOnSamePort {
  /** Ends the TLS connections (the HTTP server ends its own with closeAllConnections). */
  closeAll(): void;
}

/** Makes `server` (an http.Server, listening or not yet) also answer TLS connections with `app`. */
export function acceptTlsToo(
  server: HttpServer,
  app: RequestListener,
  tls: Pick<WorkspaceTls, 'cert' | 'key'> | Promise<Pick<WorkspaceTls, 'cert' | 'key'>>,
  classes?: ServerClasses,
): TlsOnSamePort {
  // The certificate may still be in the making: a TLS connection that comes first waits for it.
  const secureReady = Promise.resolve(tls).then((t) => {
    const secure = createHttpsServer({ cert: t.cert, key: t.key, ...classes }, app);
    secure.keepAliveTimeout = server.keepAliveTimeout;
    // A failed handshake (a client that does not trust the CA) is the client's business: drop it quietly.
    secure.on('tlsClientError', (_err, socket) => socket.destroy());
    return secure;
  });
  secureReady.catch(() => undefined); // the caller reports a certificate that cannot be made
  const open = new Set<Socket>();
  const plain = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    socket.once('readable', () => {
      const first: Buffer | null = socket.read(1);
      if (first === null) {
        // Closed before a byte arrived: hand it to HTTP, which cleans up after itself.
        for (const l of plain) l.call(server, socket);
        return;
      }
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) {
        open.add(socket);
        socket.once('close', () => open.delete(socket));
        secureReady.then(
          (secure) => secure.emit('connection', socket),
          () => socket.destroy(),
        );
      } else {
        for (const l of plain) l.call(server, socket);
      }
    });
  });
  return {
    closeAll: () => {
      for (const s of open) s.destroy();
      open.clear();
    },
  };
}
