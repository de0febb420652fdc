/** The simulated workspace alone on a loopback port (`pcsim run --wait-core`): Connect payloads point here. */
import express from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkspaceEndpoint } from '../databricks/databricks.js';
import type { Store } from '../store/types.js';
import { createWorkspaceRouter } from './router.js';

export interface ServedWorkspace {
  endpoint: WorkspaceEndpoint;
  url: string;
  close(): Promise<void>;
}

export async function serveWorkspace(store: Store, opts: { host?: string; port?: number } = {}): Promise<ServedWorkspace> {
  const host = opts.host ?? '127.0.0.1';
  const app = express();
  app.disable('x-powered-by');
  app.use(createWorkspaceRouter({ store }));
  app.use((req, res) => void res.status(404).json({ error_code: 'ENDPOINT_NOT_FOUND', message: `No API found for '${req.method} ${req.path}'` }));
  const server = createServer(app);
  server.keepAliveTimeout = 2000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    endpoint: { scheme: 'http', hostname: host, port },
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
