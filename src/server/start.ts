/**
 * startServer: everything `pcsim serve` wires together — the state file, the partners (files,
 * or the reference partner mounted in-process), the partner clients, the simulated Databricks
 * and the app — then listens. The CLI and the tests both call it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPartnerConfig, type PartnerConfig } from '../contract/partner-config.js';
import { parseJson, stringifyJson } from '../contract/json.js';
import { Clock } from '../databricks/clock.js';
import { Databricks, type WorkspaceEndpoint } from '../databricks/databricks.js';
import type { PartnerRecord } from '../databricks/model.js';
import { PartnerClient, type Credentials } from '../partner-client/client.js';
import { createReferencePartnerApp, type ReferencePartnerOptions } from '../reference-partner/index.js';
import type { ModelSnapshot, PartnerModel } from '../reference-partner/model.js';
import { MemoryStore } from '../store/memory.js';
import { openLowdbStore } from '../store/lowdb.js';
import { VERSION } from '../version.js';
import { createApp } from './app.js';
import { ObservableStore } from './observable-store.js';
import { seedState } from './seed.js';
import express, { type RequestHandler } from 'express';
import { RequestGate } from './gate.js';
import { lazyRouter } from './lazy-router.js';
import { loadUserTls, tlsHostNames, workspaceTls, type WorkspaceTls } from '../workspace/certificate.js';
import { acceptTlsToo } from '../workspace/https.js';
import { appClasses } from '../http/app-classes.js';

/**
 * What partners call back: the simulated workspace (OAuth, REST, SQL). Its modules (JWT, the SQL
 * engine's adapter, Thrift) load with the first request that can be for it, not at start-up.
 */
const defaultRouters: NonNullable<ServeOptions['routers']> = (deps) => [
  lazyRouter(
    async () => (await import('../workspace/router.js')).createWorkspaceRouter(deps),
    (req) => !(req.method === 'GET' || req.method === 'HEAD') || WORKSPACE_PATHS.test(req.path),
  ),
];
/** GET paths the workspace answers (the rest of the workspace's paths are POSTs: tokens, Thrift). */
const WORKSPACE_PATHS = /^\/(api\/|oidc\/|\.well-known\/|sql\/)/;

export const REFERENCE_MOUNT = '/reference-partner';
export const REFERENCE_STATE_FILE = 'reference-partner.json';
export const DEFAULT_PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public');

export interface ServeOptions {
  port?: number;
  host?: string;
  /** partner.json files; none: the reference partner, mounted at /reference-partner. */
  partners?: string[];
  /** State directory; null: memory only (tests, throw-away runs). */
  dataDir?: string | null;
  /** Basic credentials for file partners (BASIC_USER/BASIC_PASSWORD) and the reference partner. */
  credentials: Credentials;
  patToken?: string;
  timeoutMs?: number;
  retryBackoffMs?: readonly number[];
  showSecrets?: boolean;
  /** Seed the demo workspaces and users on a first start (default true). */
  seed?: boolean;
  /** Options of the in-process reference partner (faults, new_user_action…). */
  reference?: ReferencePartnerOptions;
  journalLimit?: number;
  publicDir?: string;
  /** Hostname partners are told to call back (default: the bound host, localhost for 0.0.0.0). */
  publicHost?: string;
  /** --tls-cert/--tls-key: the workspace's HTTPS certificate; default: pcsim's own CA (kept in dataDir/tls). */
  tls?: { certFile: string; keyFile: string };
  /** Extra routers, given the Databricks and the store (the simulated workspace APIs). */
  routers?: (deps: {
    databricks: Databricks;
    store: ObservableStore;
    endpoint: WorkspaceEndpoint;
    now: () => Date;
  }) => RequestHandler[];
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  databricks: Databricks;
  store: ObservableStore;
  reference?: { id: string; model: PartnerModel; config: PartnerConfig };
  /** The workspace's HTTPS certificate; `tls.ca` (also databricks.endpoint.ca) is what a client must trust. */
  tls: WorkspaceTls;
  close(): Promise<void>;
}

/** A partner file that cannot be used: the message names the file and every problem. */
export class ServeConfigError extends Error {
  override name = 'ServeConfigError';
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => undefined);
  const host = opts.host ?? '127.0.0.1';

  // 1. Everything that can be refused is checked before anything listens or is written.
  const files: { file: string; config: PartnerConfig }[] = [];
  for (const file of opts.partners ?? []) {
    const loaded = await loadPartnerConfig(file);
    for (const w of loaded.warnings) log(`warning: ${file}: ${w.message}`);
    if (!loaded.ok)
      throw new ServeConfigError(
        `${file} cannot be used (${loaded.problems.length} problem${loaded.problems.length > 1 ? 's' : ''}):\n${loaded.problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n')}`,
      );
    files.push({ file, config: loaded.config });
  }
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const callbackHost = opts.publicHost ?? (host === '0.0.0.0' || host === '::' ? 'localhost' : urlHost);
  const inner = opts.dataDir
    ? await openLowdbStore(opts.dataDir, { journalLimit: opts.journalLimit })
    : new MemoryStore();
  const store = new ObservableStore(inner);
  // Forking the certificate's child costs the main thread ~20 ms: it waits for the first answer of the
  // ready app (a client polling for readiness gets it first), or 50 ms, whichever comes first.
  let answered: () => void = () => undefined;
  const firstAnswer = new Promise<void>((resolve) => (answered = resolve));
  // The user's certificate is checked before anything listens. pcsim's own is made (or read) once the
  // first requests are answered: making one takes a child process and the X.509 library.
  let tlsReady: Promise<WorkspaceTls>;
  let makeTls: (() => void) | undefined;
  if (opts.tls) {
    try {
      tlsReady = Promise.resolve(await loadUserTls(opts.tls.certFile, opts.tls.keyFile));
    } catch (err) {
      await store.close();
      throw new ServeConfigError((err as Error).message);
    }
  } else {
    // Started once the first requests are answered (a TLS connection that comes first waits for it).
    tlsReady = new Promise((resolve, reject) => {
      makeTls = () =>
        void workspaceTls(opts.dataDir ?? null, tlsHostNames([callbackHost, host]), new Date(), () => firstAnswer).then(
          resolve,
          reject,
        );
    });
    tlsReady.catch(() => undefined); // awaited below, where a failure closes the port and is reported
  }

  // The port answers from the moment it opens: 503 + Retry-After until the app is ready, and again
  // while stopping, so no client (health check, CI script, curl) waits on a request nobody reads.
  const gate = new RequestGate();
  // Requests are made with the app's own prototypes once it exists (src/http/app-classes.ts).
  const classes = appClasses();
  const server = createServer(classes.options, gate.handle);
  server.keepAliveTimeout = 5000;
  // The workspace payloads name is https; the same port still answers http (admin API, UI, older clients).
  const secure = acceptTlsToo(server, (req, res) => server.emit('request', req, res), tlsReady, classes.options);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 8000, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await store.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      throw new ServeConfigError(
        `Failed to listen on ${host}:${opts.port}: the port is in use. Expected a free port (pass --port).`,
      );
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
      throw new ServeConfigError(
        `Failed to listen on ${host}: no such local address. Expected 127.0.0.1, 0.0.0.0 or an address of this machine.`,
      );
    throw err;
  }
  // 2. From here on the port is open: a failure (a state file that cannot be written…) must close it,
  // or the process would stay alive after reporting the error.
  try {
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host === '0.0.0.0' || host === '::' ? 'localhost' : urlHost}:${port}`;
    const endpoint: WorkspaceEndpoint = { scheme: 'https', hostname: callbackHost, port };
    // The reference partner's client waits for the CA if it calls back before the certificate is made.
    const partnerTls = {
      caReady: tlsReady.then(
        (t) => t.ca,
        () => undefined,
      ),
    };

    // 3. Partners and their clients. Credentials live in memory only.
    const credentials = new Map<string, Credentials>();
    const clients = new Map<string, { config: PartnerConfig; creds: Credentials; client: PartnerClient }>();
    const clientFor = (p: PartnerRecord): PartnerClient => {
      const creds = credentials.get(p.id) ?? opts.credentials;
      const cached = clients.get(p.id);
      if (cached && cached.config === p.config && cached.creds === creds) return cached.client;
      const client = new PartnerClient({
        config: p.config,
        partnerId: p.id,
        credentials: creds,
        timeoutMs: opts.timeoutMs,
        retryBackoffMs: opts.retryBackoffMs,
        showSecrets: opts.showSecrets,
        onAttempt: (attempt) => store.notify({ type: 'attempt', attempt }),
      });
      clients.set(p.id, { config: p.config, creds, client });
      return client;
    };
    // One simulated clock (POST /api/clock moves it) for Databricks, the workspace and the admin API.
    const clock = new Clock();
    const databricks = new Databricks({ store, clientFor, endpoint, patToken: opts.patToken, now: clock.now });

    // Workspaces are this simulator: after a restart on another port they must point here again. Set in
    // memory, not logged: every start sets them again, so a log line (at 100k workspaces, all of them) would
    // only slow the next start down.
    for (const w of store.read().workspaces)
      if (w.hostname !== endpoint.hostname || w.port !== endpoint.port)
        Object.assign(w, { hostname: endpoint.hostname, port: endpoint.port });

    let reference: RunningServer['reference'];
    let saveReference: (() => Promise<void>) | undefined;
    const routers: RequestHandler[] = [];
    if (files.length === 0) {
      const ref = createReferencePartnerApp({
        basicUser: opts.credentials.user,
        basicPassword: opts.credentials.password,
        workspaceTls: partnerTls,
        ...opts.reference,
      });
      const refFile = opts.dataDir ? path.join(opts.dataDir, REFERENCE_STATE_FILE) : undefined;
      if (refFile) {
        const snap = await readReferenceState(refFile, log);
        if (snap !== 'unreadable') {
          if (snap) ref.model.restore(snap);
          // Saved after answers that may have changed it; atomic, like the main state file. Saves asked for
          // while one is being written collapse into one more (the partner's memory, not pcsim's writes).
          let chain = Promise.resolve();
          let queued: Promise<void> | undefined;
          saveReference = () =>
            (queued ??= chain =
              chain
                .then(() => {
                  queued = undefined;
                  return writeAtomic(refFile, stringifyJson(ref.model.snapshot(), 2));
                })
                .catch((err) => log(`warning: failed to save ${refFile}: ${(err as Error).message}`)));
        }
      }
      const config = ref.configFor(
        `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : urlHost}:${port}${REFERENCE_MOUNT}`,
      );
      const record = await databricks.registerPartner(config, 'reference');
      credentials.set(record.id, opts.credentials);
      reference = { id: record.id, model: ref.model, config };
      const mount = express.Router();
      mount.use(REFERENCE_MOUNT, (req, res, next) => {
        if (saveReference && req.method !== 'GET') res.on('finish', () => void saveReference!());
        ref.router(req, res, next);
      });
      // Only its own paths enter the mount: the workspace's and the UI's requests go straight on.
      routers.push((req, res, next) => (req.path.startsWith(REFERENCE_MOUNT) ? mount(req, res, next) : next()));
    }
    for (const { file, config } of files) await databricks.registerPartner(config, path.resolve(file));

    const fresh = store.read().workspaces.length === 0 && store.read().users.length === 0;
    const seed = () => seedState(databricks);
    if (fresh && opts.seed !== false) await seed();

    routers.push(...(opts.routers ?? defaultRouters)({ databricks, store, endpoint, now: clock.now }));
    const app = createApp({
      databricks,
      store,
      version: VERSION,
      credentials,
      defaultCredentials: opts.credentials,
      timeoutMs: opts.timeoutMs,
      retryBackoffMs: opts.retryBackoffMs,
      seed,
      publicDir: opts.publicDir ?? DEFAULT_PUBLIC_DIR,
      routers,
      allowedHosts: LOOPBACK.has(host)
        ? ['localhost', '127.0.0.1', '[::1]', ...(opts.publicHost ? [opts.publicHost] : [])]
        : undefined,
      clock,
    });
    classes.adopt(app);
    gate.open(app);
    server.once('request', (_req: IncomingMessage, res: ServerResponse) => res.once('finish', answered));
    setTimeout(answered, 50).unref(); // never what keeps a stopping process alive
    // After the gate opens: at 100k connections they take ~0.5 s, and requests are answered meanwhile.
    // One that fails is built by the first request that needs it.
    databricks.warmIndexes().catch(() => undefined);
    makeTls?.();
    let tls: WorkspaceTls;
    try {
      tls = await tlsReady;
    } catch (err) {
      throw new ServeConfigError((err as Error).message);
    }
    endpoint.ca = tls.ca;

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await gate.drain(server, () => secure.closeAll());
        await saveReference?.();
        await store.close();
      })());
    return { url, port, server, databricks, store, reference, tls, close };
  } catch (err) {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      secure.closeAll();
    });
    await store.close().catch(() => undefined);
    throw err;
  }
}

async function readReferenceState(
  file: string,
  log: (l: string) => void,
): Promise<ModelSnapshot | undefined | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parseJson(text) as ModelSnapshot;
  } catch (err) {
    // Only the reference partner's own memory: start it empty, keep the file for inspection.
    log(
      `warning: ${file} is not valid JSON (${(err as Error).message}); the reference partner starts empty, keeps its memory in this process only, and the file is left untouched.`,
    );
    return 'unreadable';
  }
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
