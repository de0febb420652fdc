/**
 * Compute the partner was given: the SQL warehouse (SqlEndpoint) and the cluster of its resources,
 * in the shapes of the SQL Warehouses API (2.0) and the Clusters API (2.0 and 2.1).
 */
import type { Resources } from '../../databricks/model.js';
import { warehouseUrls } from '../../databricks/provisioning.js';
import { invalidParameter, notFound } from '../errors.js';
import { epoch, intParam, liveResources, queryParam, type CallContext, type RestHandler } from './context.js';

const partnerOf = (c: CallContext, r: Resources) => c.state.partners.find((p) => p.id === r.partner_id);
const partnerName = (c: CallContext, r: Resources) => partnerOf(c, r)?.config.name ?? r.partner_id;

function warehouseView(c: CallContext, r: Resources): Record<string, unknown> {
  const w = r.warehouse!;
  const [hostname, port] = [c.host.replace(/:\d+$/, ''), Number(/:(\d+)$/.exec(c.host)?.[1] ?? 443)];
  return {
    id: w.id,
    name: `${partnerName(c, r)} endpoint`,
    cluster_size: '2X-Small',
    min_num_clusters: 1,
    max_num_clusters: 1,
    auto_stop_mins: 10,
    num_clusters: 1,
    num_active_sessions: 0,
    state: 'RUNNING',
    health: { status: 'HEALTHY' },
    warehouse_type: 'PRO',
    enable_serverless_compute: true,
    enable_photon: true,
    spot_instance_policy: 'COST_OPTIMIZED',
    channel: { name: 'CHANNEL_NAME_CURRENT' },
    creator_name: r.service_principal_id,
    odbc_params: { hostname, path: w.http_path, protocol: 'https', port },
    // the same URL as the Connect payload's, for the host the caller reached
    jdbc_url: warehouseUrls({ hostname, port }, partnerOf(c, r)?.config.test_workspace_detail ?? {}, w.http_path)
      .jdbc_url,
  };
}

export const warehouseOf = (c: CallContext, id: string) =>
  liveResources(c.state, c.principal.workspace_id).find((r) => r.warehouse?.id === id);

export const getWarehouse: RestHandler = (c) => {
  const id = String(c.req.params.id ?? '');
  const r = warehouseOf(c, id);
  if (!r)
    throw notFound(
      `Failed to get SQL warehouse ${id}: no such warehouse in workspace ${c.principal.workspace_id}. Expected the id from http_path or cluster_id of the Connect request.`,
    );
  return { status: 200, body: warehouseView(c, r), kind: 'read' };
};

export const listWarehouses: RestHandler = (c) => ({
  status: 200,
  body: {
    warehouses: liveResources(c.state, c.principal.workspace_id)
      .filter((r) => r.warehouse)
      .map((r) => warehouseView(c, r)),
  },
  kind: 'read',
});

/** ClusterDetails of the Clusters API for a connection's cluster (always running: nothing to wait for). */
function clusterView(c: CallContext, r: Resources): Record<string, unknown> {
  const id = r.cluster!.id;
  return {
    cluster_id: id,
    cluster_name: `${partnerName(c, r)} cluster`,
    spark_version: '15.4.x-scala2.12',
    node_type_id: 'i3.xlarge',
    driver_node_type_id: 'i3.xlarge',
    num_workers: 1,
    autotermination_minutes: 60,
    enable_elastic_disk: true,
    state: 'RUNNING',
    state_message: '',
    creator_user_name: r.service_principal_id,
    start_time: epoch(r.created_at),
    last_state_loss_time: 0,
    data_security_mode: 'USER_ISOLATION',
    cluster_source: 'UI',
    spark_conf: {},
    custom_tags: {},
    default_tags: {
      Vendor: 'Databricks',
      Creator: r.service_principal_id,
      ClusterName: `${partnerName(c, r)} cluster`,
      ClusterId: id,
    },
  };
}

const clustersOf = (c: CallContext) => liveResources(c.state, c.principal.workspace_id).filter((r) => r.cluster);

export const getCluster: RestHandler = (c) => {
  const id = queryParam(c, 'cluster_id');
  if (id === undefined || id === '')
    throw invalidParameter(
      'Failed to get the cluster: cluster_id is missing. Expected ?cluster_id=<the cluster_id of the Connect request>.',
    );
  const r = clustersOf(c).find((x) => x.cluster!.id === id);
  // Databricks answers an unknown cluster id with 400 INVALID_PARAMETER_VALUE, not 404.
  if (!r) throw invalidParameter(`Cluster ${id} does not exist`);
  return { status: 200, kind: 'read', body: clusterView(c, r) };
};

const CLUSTER_STATES = [
  'PENDING',
  'RUNNING',
  'RESTARTING',
  'RESIZING',
  'TERMINATING',
  'TERMINATED',
  'ERROR',
  'UNKNOWN',
];
const CLUSTER_SOURCES = ['API', 'JOB', 'MODELS', 'PIPELINE', 'PIPELINE_MAINTENANCE', 'SQL', 'UI'];

/** filter_by.* of GET /api/2.1/clusters/list (the SDK sends nested fields as dotted query keys). */
function clusterFilter(c: CallContext): (v: Record<string, unknown>) => boolean {
  const list = (key: string, allowed: string[]): string[] | undefined => {
    const raw = c.req.query[key];
    if (raw === undefined) return undefined;
    const values = (Array.isArray(raw) ? raw : [raw]).map(String);
    const bad = values.find((v) => !allowed.includes(v));
    if (bad !== undefined)
      throw invalidParameter(
        `Failed to list clusters: ${key} is ${JSON.stringify(bad)}. Expected one of ${allowed.join(', ')}.`,
      );
    return values;
  };
  const states = list('filter_by.cluster_states', CLUSTER_STATES);
  const sources = list('filter_by.cluster_sources', CLUSTER_SOURCES);
  const pinned = queryParam(c, 'filter_by.is_pinned');
  if (pinned !== undefined && pinned !== 'true' && pinned !== 'false')
    throw invalidParameter(
      `Failed to list clusters: filter_by.is_pinned is ${JSON.stringify(pinned)}. Expected true or false.`,
    );
  const policy = queryParam(c, 'filter_by.policy_id');
  return (v) =>
    (!states || states.includes(String(v.state))) &&
    (!sources || sources.includes(String(v.cluster_source))) &&
    pinned !== 'true' &&
    !policy;
}

/** A page token is the offset of the page, opaque to clients. */
const tokenOf = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
function offsetOf(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!m)
    throw invalidParameter(
      `Failed to list clusters: page_token ${JSON.stringify(token)} is not one this workspace gave. Expected next_page_token or prev_page_token of an earlier page.`,
    );
  return Number(m[1]);
}

/** GET /api/2.1/clusters/list: filter_by, page_size (max 100) and page tokens. */
export const listClusters21: RestHandler = (c) => {
  const all = clustersOf(c)
    .map((r) => clusterView(c, r))
    .filter(clusterFilter(c));
  const size = intParam(c, 'page_size', 1);
  if (size !== undefined && size > 100)
    throw invalidParameter(`Failed to list clusters: page_size is ${size}. Expected at most 100.`);
  const offset = offsetOf(queryParam(c, 'page_token'));
  const page = size === undefined ? all.slice(offset) : all.slice(offset, offset + size);
  const body: Record<string, unknown> = { clusters: page };
  if (offset + page.length < all.length) body.next_page_token = tokenOf(offset + page.length);
  if (offset > 0) body.prev_page_token = tokenOf(Math.max(0, offset - (size ?? offset)));
  return { status: 200, kind: 'read', body };
};

/** GET /api/2.0/clusters/list: every cluster, no paging. */
export const listClusters20: RestHandler = (c) => ({
  status: 200,
  kind: 'read',
  body: { clusters: clustersOf(c).map((r) => clusterView(c, r)) },
});
