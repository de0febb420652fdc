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
  hooks?: {
    delete_connection?: boolean;
    delete_account?: boolean;
    expire_account?: boolean;
    test_connection?: boolean;
    connectors?: boolean;
  };
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
  JSON.parse(
    text.replace(/("(?:workspace_id|databricks_user_id|databricks_organization_id)"\s*:\s*)(-?\d+)/g, '$1"$2"'),
  );

export async function startConformancePartner(settings: PartnerSettings = {}) {
  const mutant = settings.mutant ?? '';
  const s = {
    new_user_action: settings.new_user_action ?? 'auto_add',
    trial_type: settings.trial_type ?? 'account',
    require_manual_signup: settings.require_manual_signup ?? false,
  };
  const hooks = {
    delete_connection: true,
    delete_account: true,
    expire_account: true,
    test_connection: true,
    connectors: true,
    ...settings.hooks,
  };
  const accounts = new Map<string, Account>();
  const connections = new Map<string, Connection>();
  let base = '';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  /** Error answers, with the mutants that break an ErrorResponse. */
  const fail = (res: ServerResponse, status: number, reason: string, message: string) => {
    if (mutant === 'error-without-reason') return send(res, status, { message });
    if (mutant === 'error-display-number') return send(res, status, { error_reason: reason, display_message: 404 });
    if (reason === 'connection_not_found' && mutant === 'error-reason-upper')
      return send(res, status, { error_reason: 'CONNECTION_NOT_FOUND', display_message: message });
    if (reason === 'connection_not_found' && mutant === 'error-reason-status')
      return send(res, status, { error_reason: 'general_error', display_message: message });
    send(res, status, { error_reason: reason, display_message: message });
  };
  /** A new connection's answer, with the mutants that break it at the HTTP, JSON or Connection level. */
  const created = (res: ServerResponse, body: Record<string, unknown>) => {
    const text = JSON.stringify(body);
    switch (mutant) {
      case 'create-status-418':
        return send(res, 418, { error_reason: 'general_error', display_message: 'I am a teapot.' });
      case 'create-redirect-302':
        res.writeHead(302, { location: `${base}/create_trial` });
        return res.end();
      case 'create-text-plain':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(text);
      case 'create-truncated':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(text.slice(0, -1));
      case 'create-duplicate-key':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(`{"user_status":"existing",${text.slice(1)}`);
      case 'create-bad-utf8':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          Buffer.concat([Buffer.from(`${text.slice(0, -1)},"x":"`), Buffer.from([0xff]), Buffer.from('"}')]),
        );
      case 'create-huge':
        return send(res, 200, { ...body, padding: 'x'.repeat(2 * 1024 * 1024) });
      case 'create-reset':
        return res.socket?.destroy();
      case 'create-missing-account-status': {
        const { account_status: _a, ...rest } = body;
        return send(res, 200, rest);
      }
      case 'create-enum-upper':
        return send(res, 200, { ...body, redirect_value: String(body.redirect_value).toUpperCase() });
      case 'create-configured-string':
        return send(res, 200, { ...body, configured_resources: 'true' });
      case 'create-no-connection-id': {
        const { connection_id: _c, ...rest } = body;
        return send(res, 200, rest);
      }
      case 'create-redirect-ftp':
        return send(res, 200, { ...body, redirect_uri: `ftp://127.0.0.1/${String(body.redirect_value)}` });
      case 'create-redirect-unlisted-host':
        return send(res, 200, { ...body, redirect_uri: String(body.redirect_uri).replace('127.0.0.1', 'localhost') });
    }
    send(res, 200, body);
  };
  /** A sign-in's 200 answer, with the mutants that break it. */
  const signedIn = (res: ServerResponse, body: Record<string, unknown>, connectionId: string) => {
    if (mutant === 'signin-with-connection-id') return send(res, 200, { ...body, connection_id: connectionId });
    if (mutant === 'signin-configured') return send(res, 200, { ...body, configured_resources: true });
    send(res, 200, body);
  };

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
      const other = [...connections.values()].find(
        (c) => !c.deleted && c.domain === account.domain && c.workspace !== workspace,
      );
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
        return created(
          res,
          answer('create_trial', 'new', mutant === 'demo-account-active' ? 'active' : 'new', true, c.id),
        );
      }
      const accountStatus = account ? 'active' : 'new';
      account ??= { domain, expired: false, users: new Map() };
      accounts.set(domain, account);
      const known = account.users.get(email);
      const expired = s.trial_type === 'account' ? account.expired : (known?.expired ?? false);
      if (expired && mutant === 'expired-error-without-message') return send(res, 400, { error_reason: 'bad_request' });
      if (expired)
        return send(res, 200, {
          ...answer('purchase_product', known ? 'existing' : 'new', 'expired', false),
          ...(mutant === 'expired-with-connection-id' ? { connection_id: 'expired' } : {}),
        });
      if (!known) account.users.set(email, { expired: false });
      const c = createConnection(account, workspace, email);
      const redirect = mutant === 'create-sign-in-redirect' ? 'sign_in' : 'create_trial';
      return created(
        res,
        answer(redirect, known && mutant !== 'known-user-new' ? 'existing' : 'new', accountStatus, true, c.id),
      );
    }
    // Sign-in (ConnectHelper.processExistingConnection).
    const c = connections.get(String(req.connection_id));
    const account = c ? accounts.get(c.domain) : undefined;
    if (mutant === 'account-first' && c && !account)
      return fail(res, 404, 'account_not_found', 'The account was deleted.');
    if (!c || c.deleted || !account)
      return fail(res, 404, 'connection_not_found', `Connection ${String(req.connection_id)} is unknown.`);
    if (s.require_manual_signup) return fail(res, 404, 'account_not_found', 'Sign up first.');
    const user = account.users.get(email);
    const expired = s.trial_type === 'account' ? account.expired : (user?.expired ?? false);
    if (user) {
      const creator = email === c.creator && !expired;
      if (mutant === 'creator-status-new' && creator)
        return signedIn(res, answer('sign_in', 'new', 'active', false), c.id);
      if (mutant === 'creator-account-new' && creator)
        return signedIn(res, answer('sign_in', 'existing', 'new', false), c.id);
      if (mutant === 'creator-redirect-create-trial' && creator)
        return signedIn(res, answer('create_trial', 'existing', 'active', false), c.id);
      if (mutant === 'joined-user-new' && email !== c.creator)
        return signedIn(res, answer('sign_in', 'new', 'active', false), c.id);
      return signedIn(
        res,
        answer(expired ? 'purchase_product' : 'sign_in', 'existing', expired ? 'expired' : 'active', false),
        c.id,
      );
    }
    const status = s.trial_type === 'account' && account.expired ? 'expired' : 'active';
    switch (s.new_user_action) {
      case 'auto_add':
        account.users.set(email, { expired: false });
        return signedIn(res, answer('sign_in', 'new', status, false), c.id);
      case 'invite':
        return signedIn(res, answer('contact_admin', 'not_applicable', status, false), c.id);
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
        if (mutant === 'delete-connection-empty') return send(res, 200, {});
        return send(res, 200, {
          resource_status: mutant === 'delete-connection-enum' ? 'deleted' : 'resources_deleted',
        });
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
        if (!isTestDomain(email.split('@').pop()!))
          return fail(res, 400, 'bad_request', 'Only test domains may be expired.');
        if (s.trial_type === 'account' && account) account.expired = true;
        const user = account?.users.get(email);
        if (s.trial_type === 'user' && user) user.expired = true;
        return send(res, 200, {});
      }
      case '/test-connection': {
        const c = connections.get(String(req.connection_id));
        if (!c || c.deleted) return fail(res, 404, 'connection_not_found', 'Unknown connection.');
        if (mutant === 'test-results-missing') return send(res, 200, { results: [] });
        const result = {
          test_name: 'reach the warehouse',
          status: mutant === 'test-status-ok' ? 'OK' : 'PASS',
          ...(mutant === 'test-no-message' ? {} : { message: 'It answered.' }),
        };
        return send(res, 200, { test_results: [result] });
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
    if (
      req.method === 'GET' &&
      ['/create_trial', '/sign_in', '/purchase_product', '/contact_admin'].includes(url.pathname)
    ) {
      res.writeHead(mutant === 'redirect-page-404' ? 404 : 200, { 'content-type': 'text/html' });
      return res.end('<p>partner page</p>');
    }
    const auth = req.headers.authorization ?? '';
    const good = auth === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    if (!good && mutant !== 'accept-any-credentials') return fail(res, 401, 'unauthorized', 'Wrong credentials.');
    if (req.method === 'GET' && url.pathname === '/connectors') {
      const page = Number(url.searchParams.get('pagination_token') ?? '0');
      if (mutant === 'connectors-empty') return send(res, 200, { connectors: [] });
      if (mutant === 'connectors-loop') return send(res, 200, { connectors: CONNECTORS[0], pagination_token: '1' });
      const list = (CONNECTORS[page] ?? []).map((c) =>
        mutant === 'connector-type-sink'
          ? { ...c, type: 'sink' }
          : mutant === 'connector-no-name'
            ? { identifier: c.identifier, type: c.type }
            : c,
      );
      return send(res, 200, {
        connectors: list,
        ...(page + 1 < CONNECTORS.length ? { pagination_token: String(page + 1) } : {}),
      });
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
  return {
    config,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
