/**
 * The reference partner over HTTP: its app (routes.ts, built when first used), its partner.json,
 * and a server of its own for `pcsim partner`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { appClasses } from '../http/app-classes.js';
import { CLOUDS } from '../contract/enums.js';
import { issuesToViolations } from '../contract/diagnostics.js';
import { PartnerConfig } from '../contract/partner-config.js';
import { PartnerModel } from './model.js';
import { buildPartnerRouter, PATHS } from './routes.js';
import { resolveOptions, type Hook, type ReferencePartnerOptions, type ResolvedOptions } from './types.js';

export { PATHS };

const ENDPOINT_KEYS: Record<Hook, keyof PartnerConfig['endpoints']> = {
  get_connectors: 'get_connectors_path',
  test_connection: 'test_connection_path',
  delete_account: 'delete_account_path',
  expire_account: 'expire_account_path',
  delete_connection: 'delete_connection_path',
};

export interface ReferencePartnerApp {
  /** The partner as an app of its own (its own server, supertest). */
  app: express.Express;
  /**
   * Its routes alone, to mount in another express app: a second app would give each request its
   * own prototypes again, which costs young-generation garbage collection (src/http/app-classes.ts).
   */
  router: express.Router;
  model: PartnerModel;
  /** Builds the partner.json (official format, validated by PartnerConfig) for a given base URL. */
  configFor(baseUrl: string): PartnerConfig;
}

export interface RunningReferencePartner {
  url: string;
  config: PartnerConfig;
  model: PartnerModel;
  close(): Promise<void>;
}

export function createReferencePartnerApp(opts: ReferencePartnerOptions = {}): ReferencePartnerApp {
  const o: ResolvedOptions = resolveOptions(opts);
  const model = new PartnerModel({
    newUserAction: o.newUserAction,
    trialType: o.trialType,
    requireManualSignup: o.requireManualSignup,
    supportsDemo: o.supportsDemo,
    faults: o.faults,
  });
  // The routes are registered when the app is first used: `pcsim serve` mounts the partner before
  // its first answer, and most starts answer many requests before anyone calls the partner.
  let router: express.Router | undefined;
  let app: express.Express | undefined;
  return {
    get router() {
      return (router ??= buildPartnerRouter(o, model));
    },
    get app() {
      if (app) return app;
      app = express();
      app.disable('x-powered-by');
      app.set('etag', false);
      app.use(this.router);
      return app;
    },
    model,
    configFor: (baseUrl: string): PartnerConfig => buildConfig(o, baseUrl),
  };
}

function buildConfig(o: ResolvedOptions, baseUrl: string): PartnerConfig {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new Error(
      `Failed to build the reference partner config: base URL ${JSON.stringify(baseUrl)} is not a URL. Expected http(s)://host:port.`,
    );
  }
  const base = baseUrl.replace(/\/+$/, '');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const endpoints: Record<string, string> = { connect_path: PATHS.connect };
  for (const [hook, key] of Object.entries(ENDPOINT_KEYS) as [Hook, string][])
    if (o.hooks[hook]) endpoints[key] = PATHS[hook];
  const raw = {
    api_version: '2.1.1',
    name: o.name,
    description_blurb:
      'The reference partner of pcsim: a compliant Partner Connect partner with switchable behaviours and injectable faults.',
    category: o.category,
    base_url: base,
    endpoints,
    sign_up_page: `${base}/signup`,
    privacy_policy: `${base}/privacy`,
    terms_of_service: `${base}/tos`,
    logo_file: 'logo.png',
    icon_file: 'icon.png',
    resources_to_provision: [
      { resource_type: 'SqlEndpoint' },
      ...(o.destLocation ? [{ resource_type: 'DestLocation' as const }] : []),
    ],
    object_permissions: [{ name: 'SQL_Endpoint', level: 'CAN_USE' }],
    data_permissions: [{ permission: 'USE_CATALOG' }, { permission: 'USE_SCHEMA' }, { permission: 'SELECT' }],
    supported_clouds: [...CLOUDS],
    hostnames: [...new Set([host, 'localhost', '127.0.0.1'])],
    new_user_action: o.newUserAction,
    require_manual_signup: o.requireManualSignup,
    trial_type: o.trialType,
    supports_demo: o.supportsDemo,
  };
  const parsed = PartnerConfig.safeParse(raw);
  if (!parsed.success) {
    const first = issuesToViolations(parsed.error.issues, raw, 'config', 'build the reference partner config')[0]!;
    throw new Error(first.message);
  }
  return parsed.data;
}

/** Starts the reference partner on a real port (default: an ephemeral one on 127.0.0.1). */
export async function startReferencePartner(
  opts: ReferencePartnerOptions & { port?: number; host?: string } = {},
): Promise<RunningReferencePartner> {
  const { port = 0, host = '127.0.0.1', ...rest } = opts;
  const { app, model, configFor } = createReferencePartnerApp(rest);
  const server = createServer(appClasses(app).options, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Keep-alive and hung ('hang' fault) sockets would otherwise hold close() open.
      server.closeAllConnections();
    }));
  return { url, config: configFor(url), model, close };
}
