/** The simulated workspace alone on a loopback port (`pcsim run --wait-core`): Connect payloads point here. */
import express from 'express';
import { appClasses } from '../http/app-classes.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkspaceEndpoint } from '../databricks/databricks.js';
import type { Store } from '../store/types.js';
import { tlsHostNames, workspaceTls, type WorkspaceTls } from './certificate.js';
import { acceptTlsToo } from './https.js';
import { createWorkspaceRouter } from './router.js';

export interface ServedWorkspace {
  /** https, with the CA a client must trust in `endpoint.ca` (give it to an undici Agent: `connect: { ca }`). */
  endpoint: WorkspaceEndpoint;
  /** The https base URL payloads name; the same port answers plain http too. */
  url: string;
  tls: WorkspaceTls;
  close(): Promise<void>;
}

export async function serveWorkspace(
  store: Store,
  opts: { host?: string; port?: number; tls?: WorkspaceTls } = {},
): Promise<ServedWorkspace> {
  const host = opts.host ?? '127.0.0.1';
  const tls = opts.tls ?? (await workspaceTls(null, tlsHostNames([host])));
  const app = express();
  app.disable('x-powered-by');
  app.use(createWorkspaceRouter({ store }));
  app.use(
    (req, res) =>
      void res
        .status(404)
        .json({ error_code: 'ENDPOINT_NOT_FOUND', message: `No API found for '${req.method} ${req.path}'` }),
  );
  const classes = appClasses(app).options;
  const server = createServer(classes, app);
  server.keepAliveTimeout = 2000;
  const secure = acceptTlsToo(server, app, tls, classes);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    endpoint: { scheme: 'https', hostname: host, port, ca: tls.ca },
    url: `https://${host}:${port}`,
    tls,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        secure.closeAll();
      })),
  };
}
