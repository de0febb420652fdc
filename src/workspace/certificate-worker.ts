/** Worker thread entry: makes one certificate set (certificate-issue.ts) and posts it back. */
import { parentPort, workerData } from 'node:worker_threads';
import { issue } from './certificate-issue.js';

const { hosts, now, ca } = workerData as { hosts: string[]; now: string; ca?: { cert: string; key: string } };
issue(hosts, new Date(now), ca).then(
  (issued) => parentPort!.postMessage({ ok: true, issued }),
  (err: unknown) => parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) }),
);
