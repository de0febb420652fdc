import { describe, expect, it } from '@jest/globals';
import { ConnectRequest } from '../../contract/messages.js';
import { parseJson, stringifyJson } from '../../contract/json.js';
import { partnerConfig } from './fixtures.js';
import type { ConnectionRecord, Resources, User, Workspace } from '../model.js';
import { buildConnectRequest } from '../payload.js';
import { provision } from '../provisioning.js';

const config = partnerConfig;
const ws: Workspace = {
  id: '4645065419173783088',
  name: 'w',
  cloud: 'azure',
  region: 'westeurope',
  demo: false,
  is_free_trial: true,
  hostname: 'localhost',
  port: 8000,
  catalogs: [],
  external_locations: [],
  created_at: '',
};
const user: User = {
  id: '9007199254740993',
  email: 'u1@a.databricks-test.com',
  first_name: 'U',
  last_name: '',
  admin: true,
  workspaces: [ws.id],
  created_at: '',
};
const now = new Date();

/** The connection Databricks holds once `res` was provisioned and the partner answered `id`. */
const connectionOf = (res: Resources, id: string): ConnectionRecord => ({
  workspace_id: ws.id,
  partner_id: 'p',
  connection_id: id,
  created_by: user.id,
  created_at: '',
  resources_id: res.id,
});

/** The payload as a partner parses it: through the wire and the contract schema. */
const onTheWire = (body: unknown) => ConnectRequest.parse(parseJson(stringifyJson(body)));

describe('the Connect payload', () => {
  it('creates: PAT, warehouse, exact ids, valid against the contract', () => {
    const cfg = config();
    const res = provision({ workspace: ws, partnerId: 'p', config: cfg, now, patToken: 'pat-from-env' });
    const req = onTheWire(buildConnectRequest({ workspace: ws, user, config: cfg, resources: res, scheme: 'http' }));
    expect(req.workspace_id).toBe('4645065419173783088');
    expect(req.user_info.databricks_user_id).toBe('9007199254740993');
    expect(req.user_info.databricks_organization_id).toBe(req.workspace_id);
    expect(req.user_info.is_connection_established).toBe(false);
    expect(req.user_info.auth?.personal_access_token).toBe('pat-from-env');
    expect(req.connection_id).toBeUndefined();
    expect(req).toMatchObject({
      cloud_provider: 'azure',
      is_free_trial: true,
      demo: false,
      is_sql_endpoint: true,
      is_sql_warehouse: true,
      workspace_url: `http://localhost:8000/?o=${ws.id}`,
    });
    expect(req.http_path).toBe(`/sql/1.0/warehouses/${req.cluster_id}`);
  });

  it('signs in: connection_id, no credentials', () => {
    const cfg = config();
    const res = provision({ workspace: ws, partnerId: 'p', config: cfg, now });
    const connection = connectionOf(res, 'conn-7');
    const req = onTheWire(
      buildConnectRequest({ workspace: ws, user, config: cfg, resources: res, connection, scheme: 'http' }),
    );
    expect(req.user_info.is_connection_established).toBe(true);
    expect(req.connection_id).toBe('conn-7');
    expect(req.user_info.auth).toBeUndefined();
  });

  it('sends OAuth M2M and U2M credentials instead of a PAT when auth_options say so', () => {
    const m2m = config({ auth_options: ['AUTH_OAUTH_M2M'] });
    const r1 = onTheWire(
      buildConnectRequest({
        workspace: ws,
        user,
        config: m2m,
        resources: provision({ workspace: ws, partnerId: 'p', config: m2m, now }),
        scheme: 'http',
      }),
    );
    expect(r1.user_info.auth?.personal_access_token).toBeNull();
    expect(r1.service_principal_oauth_secret).toMatch(/^dose/);
    expect(r1.service_principal_id).toMatch(/^[0-9a-f-]{36}$/);
    const u2m = config({ auth_options: ['AUTH_OAUTH_U2M'] });
    const r2 = onTheWire(
      buildConnectRequest({
        workspace: ws,
        user,
        config: u2m,
        resources: provision({ workspace: ws, partnerId: 'p', config: u2m, now }),
        scheme: 'http',
      }),
    );
    expect(r2.oauth_u2m_app_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r2.service_principal_oauth_secret).toBeUndefined();
  });

  it('uses test_workspace_detail, an interactive cluster, catalog and destination when given', () => {
    const cfg = config({
      resources_to_provision: [{ resource_type: 'InteractiveCluster' }],
      test_workspace_detail: { hostname: 'real.cloud.databricks.com', port: 443, cluster_id: '0123-456789-abc' },
    });
    const res = provision({
      workspace: ws,
      partnerId: 'p',
      config: cfg,
      now,
      catalog_name: 'main',
      destination_location: 's3://b/p',
    });
    const req = onTheWire(buildConnectRequest({ workspace: ws, user, config: cfg, resources: res, scheme: 'https' }));
    expect(req).toMatchObject({
      hostname: 'real.cloud.databricks.com',
      port: 443,
      cluster_id: '0123-456789-abc',
      is_sql_endpoint: false,
      catalog_name: 'main',
      destination_location: 's3://b/p',
    });
    expect(req.workspace_url).toBe(`https://real.cloud.databricks.com/?o=${ws.id}`);
    expect(req.http_path).toBeUndefined();
  });

  it("gives the JDBC URLs of the workspace's host and port as they are now, unless the configuration sets them", () => {
    const cfg = config();
    const res = provision({ workspace: ws, partnerId: 'p', config: cfg, now });
    const connection = connectionOf(res, 'c1');
    // pcsim serves on another port after a restart; the stored warehouse was made for port 8000
    const moved = { ...ws, port: 9443 };
    const reused = onTheWire(
      buildConnectRequest({ workspace: moved, user, config: cfg, resources: res, connection, scheme: 'https' }),
    );
    const path = `/default;transportMode=http;ssl=1;AuthMech=3;httpPath=${res.warehouse!.http_path};`;
    expect(reused.jdbc_url).toBe(`jdbc:spark://localhost:9443${path}`);
    expect(reused.databricks_jdbc_url).toBe(`jdbc:databricks://localhost:9443${path}`);
    const fixed = { ...cfg, test_workspace_detail: { jdbc_url: 'jdbc:spark://fixed:1/x' } };
    const own = onTheWire(
      buildConnectRequest({ workspace: moved, user, config: fixed, resources: res, connection, scheme: 'https' }),
    );
    expect(own.jdbc_url).toBe('jdbc:spark://fixed:1/x');
    expect(own.databricks_jdbc_url).toBe(`jdbc:databricks://localhost:9443${path}`);
  });
});
