/**
 * The certificate of the simulated workspace's HTTPS endpoint: pcsim is its own CA. On first start
 * it makes a CA and a server certificate for the host names it serves (localhost, 127.0.0.1, ::1,
 * the configured host); with a state directory both are kept in `<data>/tls/` and reused, so a
 * partner trusts the CA once. A server certificate that no longer covers the host names is
 * re-issued by the same CA. `--tls-cert/--tls-key` replace all of it with the user's own pair.
 *
 * The X.509 library is imported only when something must be generated, and then in a child process
 * (certificate-worker.ts) that ends once it is done: the server's own memory never holds it, and what
 * the work used goes back to the system (a worker thread's heap left the server ~10 MB larger).
 */
import { fork } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Issued } from './certificate-issue.js';

/** PEM texts: the server's certificate and key, and what a client must trust (pcsim's CA, or the user's cert). */
export interface WorkspaceTls {
  cert: string;
  key: string;
  ca: string;
  /** A file holding `ca`, for NODE_EXTRA_CA_CERTS and keytool (absent when the CA lives in memory only). */
  caFile?: string;
  /** generated: made now; stored: read from the state directory; user: --tls-cert/--tls-key. */
  source: 'generated' | 'stored' | 'user';
}

export const TLS_DIR = 'tls';
const FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', key: 'server-key.pem' } as const;
const DAY = 86_400_000;
const inMemory = new Map<string, Promise<Issued>>();

/** The names a server certificate must cover: loopback, plus the host partners are told to call. */
export function tlsHostNames(extra: readonly (string | undefined)[] = []): string[] {
  const names = [
    'localhost',
    '127.0.0.1',
    '::1',
    ...extra.filter((h): h is string => !!h && h !== '0.0.0.0' && h !== '::'),
  ];
  return [...new Set(names.map((h) => h.replace(/^\[|\]$/g, '').toLowerCase()))];
}

/** --tls-cert/--tls-key: the user's pair, checked so a mistake is named before anything listens. */
export async function loadUserTls(certFile: string, keyFile: string): Promise<WorkspaceTls> {
  const read = async (file: string, flag: string) => {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      throw new Error(`Failed to read ${flag} ${file}: ${(err as Error).message}. Expected a PEM file.`);
    }
  };
  const [cert, key] = [await read(certFile, '--tls-cert'), await read(keyFile, '--tls-key')];
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(
      `Failed to read --tls-cert ${certFile}: ${(err as Error).message}. Expected a PEM certificate (-----BEGIN CERTIFICATE-----).`,
    );
  }
  try {
    if (!x509.checkPrivateKey((await import('node:crypto')).createPrivateKey(key)))
      throw new Error('the key does not belong to the certificate');
  } catch (err) {
    throw new Error(
      `Failed to use --tls-key ${keyFile}: ${(err as Error).message}. Expected the PEM private key of --tls-cert ${certFile}.`,
    );
  }
  return { cert, key, ca: cert, caFile: path.resolve(certFile), source: 'user' };
}

/**
 * pcsim's own CA and server certificate: read from `<dataDir>/tls/` when they exist and still
 * cover `hosts`, made (and stored there) otherwise; with no dataDir, made in memory. Making one
 * forks a child process; `beforeFork` is awaited first (a server lets its first answers go out).
 */
export async function workspaceTls(
  dataDir: string | null,
  hosts: readonly string[],
  now = new Date(),
  beforeFork: () => Promise<void> = async () => undefined,
): Promise<WorkspaceTls> {
  if (!dataDir) {
    // In memory: one CA per process and host set (servers of one process share it, as tests and
    // pcsim run start several), so the X.509 library loads and keys are made once.
    const key = hosts.join(',');
    let made = inMemory.get(key);
    if (!made)
      inMemory.set(
        key,
        (made = beforeFork()
          .then(() => issueOffProcess(hosts, now))
          .catch((err) => {
            inMemory.delete(key);
            throw err;
          })),
      );
    const m = await made;
    return { cert: m.cert, key: m.key, ca: m.ca, source: 'generated' };
  }
  const dir = path.join(dataDir, TLS_DIR);
  const stored = await readStored(dir);
  if (stored && covers(stored.cert, hosts, now))
    return { cert: stored.cert, key: stored.key, ca: stored.ca, caFile: path.join(dir, FILES.ca), source: 'stored' };
  await beforeFork();
  const made = await issueOffProcess(
    hosts,
    now,
    stored && validCa(stored.ca, now) ? { cert: stored.ca, key: stored.caKey } : undefined,
  );
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [name, text] of [
    [FILES.ca, made.ca],
    [FILES.caKey, made.caKey],
    [FILES.cert, made.cert],
    [FILES.key, made.key],
  ] as const) {
    const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
    await writeFile(tmp, text, { mode: name.includes('key') ? 0o600 : 0o644 });
    await rename(tmp, path.join(dir, name));
  }
  return { cert: made.cert, key: made.key, ca: made.ca, caFile: path.join(dir, FILES.ca), source: 'generated' };
}

async function readStored(dir: string): Promise<{ ca: string; caKey: string; cert: string; key: string } | undefined> {
  try {
    const [ca, caKey, cert, key] = await Promise.all(
      [FILES.ca, FILES.caKey, FILES.cert, FILES.key].map((f) => readFile(path.join(dir, f), 'utf8')),
    );
    return { ca: ca!, caKey: caKey!, cert: cert!, key: key! };
  } catch {
    return undefined;
  }
}

function validCa(pem: string, now: Date): boolean {
  try {
    const c = new X509Certificate(pem);
    return c.ca && new Date(c.validTo).getTime() > now.getTime() + 30 * DAY;
  } catch {
    return false;
  }
}

/** The stored server certificate names every host and stays valid for a month more. */
function covers(pem: string, hosts: readonly string[], now: Date): boolean {
  try {
    const c = new X509Certificate(pem);
    if (new Date(c.validTo).getTime() < now.getTime() + 30 * DAY) return false;
    // An IPv6 literal is the only host with a colon: net.isIP would compile its IPv6 pattern (~4 ms) at each start.
    return hosts.every((h) => (isIPv4(h) || h.includes(':') ? c.checkIP(h) : c.checkHost(h)) !== undefined);
  } catch {
    return false;
  }
}

/**
 * A CA made in memory (--memory, pcsim run) still needs a file a partner can be pointed at: the
 * CA certificate (public) is written to a temporary directory, removed by `remove`.
 */
export async function withCaFile(tls: WorkspaceTls): Promise<{ tls: WorkspaceTls; remove(): Promise<void> }> {
  if (tls.caFile) return { tls, remove: async () => undefined };
  const dir = await mkdtemp(path.join(tmpdir(), 'pcsim-workspace-ca-'));
  const caFile = path.join(dir, FILES.ca);
  await writeFile(caFile, tls.ca);
  return { tls: { ...tls, caFile }, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** How to make a client trust the workspace: printed by `pcsim serve` and `pcsim run --wait-core`. */
export function trustHints(tls: WorkspaceTls): string[] {
  if (!tls.caFile)
    return [
      'the workspace certificate is made in memory for this run only (pass --tls-cert/--tls-key, or --data, to keep one a partner can trust)',
    ];
  const kept =
    tls.source === 'user'
      ? ''
      : tls.source === 'stored' || tls.caFile.includes(`${path.sep}${TLS_DIR}${path.sep}`)
        ? ' (kept with the state)'
        : ' (made for this process only: a partner started before it cannot trust it; pass --tls-cert/--tls-key for a lasting one)';
  return [
    `the workspace speaks HTTPS with ${tls.source === 'user' ? 'the certificate of --tls-cert' : "pcsim's own CA"}${kept}`,
    `trust the workspace's HTTPS certificate: NODE_EXTRA_CA_CERTS=${tls.caFile} (Node), REQUESTS_CA_BUNDLE=${tls.caFile} (Python requests)`,
    `Java/JDBC: keytool -importcert -noprompt -alias pcsim-workspace -file ${tls.caFile} -keystore pcsim-truststore.jks -storepass changeit, then -Djavax.net.ssl.trustStore=pcsim-truststore.jks -Djavax.net.ssl.trustStorePassword=changeit`,
  ];
}

/**
 * The compiled worker; absent when pcsim runs from its TypeScript sources (tests), which issue in process.
 * Named from the layer's folder, so the same URL holds from dist/workspace/ and from the bundle in dist/bundle/.
 */
const WORKER = new URL('../workspace/certificate-worker.js', import.meta.url);

/** issue() in a child process when pcsim runs compiled, so the X.509 library never loads in the server. */
async function issueOffProcess(
  hosts: readonly string[],
  now: Date,
  ca?: { cert: string; key: string },
): Promise<Issued> {
  if (!existsSync(fileURLToPath(WORKER))) return (await import('./certificate-issue.js')).issue(hosts, now, ca);
  return new Promise<Issued>((resolve, reject) => {
    // No inherited node options: a server run under --inspect or --cpu-prof must not pass them on.
    const child = fork(fileURLToPath(WORKER), [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let answered = false;
    child.once('message', (m: { ok: true; issued: Issued } | { ok: false; message: string }) => {
      answered = true;
      child.disconnect();
      if (m.ok) resolve(m.issued);
      else reject(new Error(m.message));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`the certificate process stopped (exit code ${code}) before answering`));
    });
    child.send({ hosts: [...hosts], now: now.toISOString(), ca });
  });
}
