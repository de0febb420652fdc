/** Ports and hosts as the CLI names them to the user. */
import { createServer } from 'node:net';
import { UsageError } from './io.js';

/** A host as it stands in a URL (IPv6 literals in brackets). */
export const urlHost = (host: string) => (host.includes(':') ? `[${host}]` : host);

/** A port free on `host` right now (the kernel's pick for port 0), released before returning. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UsageError(`Failed to pick a free port on ${host}: ${err.code ?? err.message}. Expected --host 127.0.0.1, 0.0.0.0 or one of this machine's addresses.`)));
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
