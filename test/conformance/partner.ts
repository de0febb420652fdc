/**
 * A small Partner Connect partner written for the conformance tests, independently of pcsim's
 * contract/ and reference-partner/: it behaves like Databricks' sample partner
 * (databrickslabs/partner-connect-api, ConnectHandler / ConnectHelper: create_trial for every new
 * connection, demo applied to new connections only, sign-in answered from the account's state),
 * completed where the sample is silent with what the API specification and the seed state
 * (test hooks, expired trials). A `mutant` breaks exactly one behaviour on purpose.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PartnerSettings {
  new_user_action?: 'auto_add' | 'invite' | 'not_found' | 'error';
  trial_type?: 'user' | 'account';
  require_manual_signup?: boolean;
  category?: string;
  /** Which optional hooks exist (default: all). */
  hooks?: { delete_connection?: boolean; delete_account?: boolean; expire_account?: boolean; test_connection?: boolean; connectors?: boolean };
  mutant?: string;
}

interface Account {
  domain: string;
  expired: boolean;
  users: Map<string, { expired: boolean }>;
}

interface Connection {
  id: string;
  workspace: string;
  domain: string;
  creator: string;
  deleted: boolean;
}

const USER = 'conformance-user';
const PASSWORD = 'conformance-secret';
export const CONFORMANCE_CREDENTIALS = { user: USER, password: PASSWORD };
const TEST_DOMAINS = ['databricks-test.com', 'databricks-demo.com'];
const isTestDomain = (d: string) => TEST_DOMAINS.some((t) => d === t || d.endsWith(`.${t}`));

/** int64 ids stay exact: they are read as strings before JSON.parse can round them. */
const parse = (text: string): Record<string, unknown> =>
  JSON.parse(text.replace(/("(?:workspace_id|databricks_user_id|databricks_organization_id)"\s*:\s*)(-?\d+)/g, '$1"$2"'));

export async function startConformancePartner(settings: PartnerSettings = {}) {
  const mutant = settings.mutant ?? '';
  const s = {
    new_user_action: settings.new_user_action ?? 'auto_add',
    trial_type: settings.trial_type ?? 'account',
    require_manual_signup: settings.require_manual_signup ?? false,
  };
  const hooks = { delete_connection: true, delete_account: true, expire_account: true, test_connection: true, connectors: true, ...settings.hooks };
  const accounts = new Map<string, Account>();
  const connections = new Map<string, Connection>();
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, reason: string, message: string) =>
    send(res, status, { error_reason: reason, display_message: message });

  const answer = (redirect: string, user_status: string, account_status: string, configured: boolean, id?: string) => ({
    redirect_uri: `${base}/${redirect}`,
    redirect_value: redirect,
    user_status,
    account_status,
    configured_resources: configured,
    ...(id !== undefined ? { connection_id: id } : {}),
  });

  function createConnection(account: Account, workspace: string, creator: string): Connection {
    if (mutant === 'reuse-id-across-workspaces') {
      const other = [...connections.values()].find((c) => !c.deleted && c.domain === account.domain && c.workspace !== workspace);
      if (other) return other;
    }
    if (mutant === 'reuse-id-on-recreate') {
      const same = [...connections.values()].find((c) => c.domain === account.domain && c.workspace === workspace);
      if (same) return same;
    }
    const c: Connection = { id: randomUUID(), workspace, domain: account.domain, creator, deleted: false };
    connections.set(c.id, c);
    return c;
  }

  function connect(req: Record<string, unknown>, res: ServerResponse) {
    const info = req.user_info as Record<string, unknown>;
    const email = String(info.email).toLowerCase();
    const domain = email.split('@').pop()!;
    const workspace = String(req.workspace_id);
    const demo = req.demo === true;
    if (info.is_connection_established !== true) {
      let account = accounts.get(domain);
      if (demo && mutant !== 'demo-ignored') {
        // The demo flow: the new-trial answer even for a known account and user (CONTRACT §7).
        account ??= { domain, expired: false, users: new Map() };
        accounts.set(domain, account);
        account.users.set(email, { expired: false });
        const c = createConnection(account, workspace, email);
        return send(res, 200, answer('create_trial', 'new', 'new', true, c.id));
      }
      const accountStatus = account ? 'active' : 'new';
      account ??= { domain, expired: false, users: new Map() };
      accounts.set(domain, account);
      const known = account.users.get(email);
      const expired = s.trial_type === 'account' ? account.expired : (known?.expired ?? false);
      if (expired) return send(res, 200, answer('purchase_product', known ? 'existing' : 'new', 'expired', false));
      if (!known) account.users.set(email, { expired: false });
      const c = createConnection(account, workspace, email);
      return send(res, 200, answer('create_trial', known ? 'existing' : 'new', accountStatus, true, c.id));
    }
    // Sign-in (ConnectHelper.processExistingConnection).
    const c = connections.get(String(req.connection_id));
    const account = c ? accounts.get(c.domain) : undefined;
    if (mutant === 'account-first' && c && !account) return fail(res, 404, 'account_not_found', 'The account was deleted.');
    if (!c || c.deleted || !account) return fail(res, 404, 'connection_not_found', `Connection ${String(req.connection_id)} is unknown.`);
    if (s.require_manual_signup) return fail(res, 404, 'account_not_found', 'Sign up first.');
    const user = account.users.get(email);
    const expired = s.trial_type === 'account' ? account.expired : (user?.expired ?? false);
    if (user) {
      if (mutant === 'creator-status-new' && email === c.creator) return send(res, 200, answer('sign_in', 'new', 'active', false));
      return send(res, 200, answer(expired ? 'purchase_product' : 'sign_in', 'existing', expired ? 'expired' : 'active', false));
    }
    const status = s.trial_type === 'account' && account.expired ? 'expired' : 'active';
    switch (s.new_user_action) {
      case 'auto_add':
        account.users.set(email, { expired: false });
        return send(res, 200, answer('sign_in', 'new', status, false));
      case 'invite':
        return send(res, 200, answer('contact_admin', 'not_applicable', status, false));
      case 'not_found':
        return fail(res, 404, 'account_not_found', 'Ask an admin to add you.');
      case 'error':
        return fail(res, 500, 'general_error', 'New users cannot join.');
    }
  }

  function route(path: string, req: Record<string, unknown>, res: ServerResponse) {
    switch (path) {
      case '/connect':
        return connect(req, res);
      case '/delete-connection': {
        const c = connections.get(String(req.connection_id));
        if (!c || c.deleted) return fail(res, 404, 'connection_not_found', 'Unknown connection.');
        c.deleted = true;
        return send(res, 200, { resource_status: 'resources_deleted' });
      }
      case '/delete-account': {
        const domain = String(req.domain).toLowerCase();
        if (!isTestDomain(domain)) return fail(res, 400, 'bad_request', 'Only test domains may be deleted.');
        accounts.delete(domain);
        // Live connections go with the account; one deleted in the product stays a tombstone.
        for (const [id, c] of connections) if (c.domain === domain && !c.deleted) connections.delete(id);
        return send(res, 200, {});
      }
      case '/expire-account': {
        const email = String(req.email).toLowerCase();
        const account = accounts.get(email.split('@').pop()!);
        if (!isTestDomain(email.split('@').pop()!)) return fail(res, 400, 'bad_request', 'Only test domains may be expired.');
        if (s.trial_type === 'account' && account) account.expired = true;
        const user = account?.users.get(email);
        if (s.trial_type === 'user' && user) user.expired = true;
        return send(res, 200, {});
      }
      case '/test-connection': {
        const c = connections.get(String(req.connection_id));
        if (!c || c.deleted) return fail(res, 404, 'connection_not_found', 'Unknown connection.');
        return send(res, 200, { test_results: [{ test_name: 'reach the warehouse', status: 'PASS', message: 'It answered.' }] });
      }
    }
    return fail(res, 404, 'bad_request', 'No such API.');
  }

  const CONNECTORS = [
    [{ identifier: 'postgres', name: 'PostgreSQL', type: 'source' }],
    [{ identifier: 'delta', name: 'Delta Lake', type: 'target' }],
  ];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && ['/create_trial', '/sign_in', '/purchase_product', '/contact_admin'].includes(url.pathname)) {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<p>partner page</p>');
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`) return fail(res, 401, 'unauthorized', 'Wrong credentials.');
    if (req.method === 'GET' && url.pathname === '/connectors') {
      const page = Number(url.searchParams.get('pagination_token') ?? '0');
      return send(res, 200, { connectors: CONNECTORS[page] ?? [], ...(page + 1 < CONNECTORS.length ? { pagination_token: String(page + 1) } : {}) });
    }
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        route(url.pathname, parse(text || '{}'), res);
      } catch (err) {
        fail(res, 400, 'bad_request', String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const endpoints: Record<string, string> = { connect_path: '/connect' };
  if (hooks.delete_connection) endpoints.delete_connection_path = '/delete-connection';
  if (hooks.delete_account) endpoints.delete_account_path = '/delete-account';
  if (hooks.expire_account) endpoints.expire_account_path = '/expire-account';
  if (hooks.test_connection) endpoints.test_connection_path = '/test-connection';
  if (hooks.connectors) endpoints.get_connectors_path = '/connectors';

  /** The partner.json of Databricks' format (fields as in its partners/test/test.json). */
  const config = {
    api_version: '2.1.1',
    name: `conformance partner${mutant ? ` (${mutant})` : ''}`,
    description_blurb: 'Written in the test, independently of pcsim.',
    category: settings.category ?? 'INGEST',
    base_url: base,
    endpoints,
    sign_up_page: `${base}/signup`,
    privacy_policy: `${base}/privacy`,
    terms_of_service: `${base}/tos`,
    logo_file: 'logo.png',
    icon_file: 'icon.png',
    resources_to_provision: [{ resource_type: 'SqlEndpoint' }],
    supported_clouds: ['aws', 'azure', 'gcp'],
    hostnames: ['127.0.0.1'],
    new_user_action: s.new_user_action,
    require_manual_signup: s.require_manual_signup,
    trial_type: s.trial_type,
    supports_demo: true,
  };
  return { config, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
