/** Workspace objects: get-status of paths and notebook import, as the Workspace API answers them. */
import { createHash, randomInt } from 'node:crypto';
import { resourcesOfWorkspace, usersOfWorkspace } from '../../databricks/indexes.js';
import { lookup } from '../../databricks/lookup.js';
import { invalidParameter, notFound, WorkspaceApiError } from '../errors.js';
import type { NotebookRecord } from '../types.js';
import { asObject, epoch, str, type CallContext, type RestHandler } from './context.js';

const LANGUAGES = ['PYTHON', 'SQL', 'SCALA', 'R'];
const FORMATS = ['SOURCE', 'JUPYTER', 'HTML', 'DBC', 'AUTO', 'R_MARKDOWN'];

function rootsOf(c: CallContext): string[] {
  const ws = c.principal.workspace_id;
  return [
    '/Shared',
    ...usersOfWorkspace(c.state, ws).map((u) => `/Users/${u.email}`),
    ...resourcesOfWorkspace(c.state, ws).map((r) => `/Users/${r.service_principal_id}`),
  ];
}

const notebooksOf = (c: CallContext) =>
  lookup(c.state.notebooks ?? [], 'workspace', (n) => n.workspace_id, c.principal.workspace_id);

function normPath(p: string, what: string): string {
  if (!p.startsWith('/') || p.includes('\0') || p.split('/').some((s) => s === '..' || s === '.'))
    throw invalidParameter(
      `Failed to ${what}: path ${JSON.stringify(p)} is not an absolute workspace path. Expected a path like /Users/<user>/<name>.`,
    );
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

function isDirectory(c: CallContext, path: string): boolean {
  if (path === '/' || path === '/Users') return true;
  if (rootsOf(c).some((r) => r === path || path.startsWith(`${r}/`))) {
    // Inside a home or /Shared: a directory when it is a root or holds a notebook.
    return rootsOf(c).includes(path) || notebooksOf(c).some((n) => n.path.startsWith(`${path}/`));
  }
  return false;
}

export const getStatus: RestHandler = (c) => {
  const raw = c.req.query.path;
  if (typeof raw !== 'string' || raw === '')
    throw invalidParameter('Failed to get the status: path is missing. Expected ?path=<absolute workspace path>.');
  const path = normPath(raw, 'get the status');
  const nb = notebooksOf(c).find((n) => n.path === path);
  if (nb)
    return {
      status: 200,
      kind: 'read',
      body: {
        object_type: 'NOTEBOOK',
        path,
        language: nb.language,
        object_id: Number(nb.object_id),
        created_at: epoch(nb.created_at),
        modified_at: epoch(nb.created_at),
        size: nb.bytes,
      },
    };
  if (isDirectory(c, path))
    return {
      status: 200,
      kind: 'read',
      body: {
        object_type: 'DIRECTORY',
        path,
        object_id: Number(
          BigInt.asUintN(
            48,
            BigInt(
              `0x${createHash('sha256').update(`${c.principal.workspace_id}:${path}`).digest('hex').slice(0, 12)}`,
            ),
          ),
        ),
      },
    };
  throw notFound(`Path (${path}) doesn't exist.`);
};

export const importObject: RestHandler = async (c) => {
  const what = 'import the notebook';
  const b = asObject(c.body, what);
  const path = normPath(str(b, 'path', what)!, what);
  const format = (str(b, 'format', what, false) ?? 'SOURCE').toUpperCase();
  if (!FORMATS.includes(format))
    throw invalidParameter(
      `Failed to ${what}: format is ${JSON.stringify(b.format)}. Expected one of ${FORMATS.join(', ')}.`,
    );
  const language = str(b, 'language', what, false)?.toUpperCase();
  if (format === 'SOURCE' && !language)
    throw invalidParameter(
      `Failed to ${what}: language is missing for format SOURCE. Expected one of ${LANGUAGES.join(', ')}.`,
    );
  if (language && !LANGUAGES.includes(language))
    throw invalidParameter(
      `Failed to ${what}: language is ${JSON.stringify(b.language)}. Expected one of ${LANGUAGES.join(', ')}.`,
    );
  const content = str(b, 'content', what, false) ?? '';
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content.replace(/\s/g, '')) || content.replace(/\s/g, '').length % 4 !== 0)
    throw invalidParameter(`Failed to ${what}: content is not base64. Expected the notebook source, base64-encoded.`);
  if (b.overwrite !== undefined && typeof b.overwrite !== 'boolean')
    throw invalidParameter(`Failed to ${what}: overwrite is ${JSON.stringify(b.overwrite)}. Expected true or false.`);
  const bytes = Buffer.from(content, 'base64');
  const parent = path.slice(0, path.lastIndexOf('/')) || '/';
  const roots = rootsOf(c);
  if (!(parent === '/Shared' || roots.some((r) => parent === r || parent.startsWith(`${r}/`))))
    throw notFound(`The parent folder (${parent}) does not exist.`);
  const existing = notebooksOf(c).find((n) => n.path === path);
  if (existing && b.overwrite !== true)
    throw new WorkspaceApiError('RESOURCE_ALREADY_EXISTS', `Path (${path}) already exists.`);
  if (roots.includes(path)) throw new WorkspaceApiError('RESOURCE_ALREADY_EXISTS', `Path (${path}) already exists.`);
  const record: NotebookRecord = {
    workspace_id: c.principal.workspace_id,
    path,
    object_id: String(existing?.object_id ?? randomInt(1, 2 ** 47)),
    language: language ?? 'PYTHON',
    format,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    resources_id: c.principal.resources.id,
    created_at: c.now.toISOString(),
  };
  await c.store.update((s) => {
    const list = (s.notebooks ??= []);
    const i = list.findIndex((n) => n.workspace_id === record.workspace_id && n.path === path);
    if (i >= 0) list[i] = record;
    else list.push(record);
  });
  return { status: 200, body: {}, kind: 'notebook', detail: path };
};
