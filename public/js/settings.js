// @ts-check
/**
 * Workspace and user settings, as an admin would set them in Databricks: create, change
 * (name, cloud, region, demo, free trial, catalogs, external locations; a user's names and
 * admin flag) and delete — everything the admin API allows.
 */
import { api } from './api.js';
import { $, currentUser, loadWorkspace, loadWorkspaces, notify, state } from './state.js';
import { closeDialog, h, openDialog } from './dom.js';

const CLOUDS = ['aws', 'azure', 'gcp'];

/** @param {string} label @param {HTMLElement} input @param {string} [hint] */
function field(label, input, hint) {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    input,
    hint ? h('span', { class: 'hint' }, hint) : null,
  );
}

/** @param {string} name @param {boolean} checked @param {string} text */
const checkbox = (name, checked, text) =>
  h('label', { class: 'check' }, h('input', { type: 'checkbox', name, id: `set-${name}`, checked }), ` ${text}`);

/** One entry a line (or comma-separated); empty lines dropped. @param {FormDataEntryValue | null} v */
const lines = (v) =>
  String(v ?? '')
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * A form in the narrow dialog; onSubmit returns an error message to show, or null to close.
 * @param {string} title
 * @param {any[]} fields
 * @param {string} submitLabel
 * @param {(fd: FormData) => Promise<string | null>} onSubmit
 * @param {HTMLElement | null} [danger] a destructive action shown apart (Delete…)
 */
function formDialog(title, fields, submitLabel, onSubmit, danger = null) {
  const dlg = /** @type {HTMLDialogElement} */ ($('dlg-form'));
  const error = h('p', { class: 'form-error', role: 'alert', id: 'form-error', hidden: true });
  const submit = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'submit', class: 'btn primary', id: 'form-submit' }, submitLabel)
  );
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      {
        method: 'dialog',
        onsubmit: async (/** @type {SubmitEvent} */ ev) => {
          ev.preventDefault();
          submit.disabled = true;
          const message = await onSubmit(new FormData(form));
          submit.disabled = false;
          if (message) {
            error.textContent = message;
            error.hidden = false;
          } else closeDialog(dlg);
        },
      },
      h('h2', { id: 'dlg-form-title' }, title),
      fields,
      error,
      h(
        'div',
        { class: 'actions' },
        danger,
        h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'btn', onclick: () => closeDialog(dlg) }, 'Cancel'),
        submit,
      ),
    )
  );
  openDialog(dlg, form);
}

/**
 * A Delete button that asks once more in place ("Delete workspace…" → "Yes, delete it").
 * @param {string} id @param {string} label @param {string} confirmLabel @param {() => Promise<string | null>} run
 */
function deleteButton(id, label, confirmLabel, run) {
  const button = /** @type {HTMLButtonElement} */ (
    h(
      'button',
      {
        type: 'button',
        class: 'btn danger',
        id,
        onclick: async () => {
          if (button.dataset.armed !== 'true') {
            button.dataset.armed = 'true';
            button.textContent = confirmLabel;
            return;
          }
          button.disabled = true;
          const message = await run();
          if (message) {
            notify(message);
            button.disabled = false;
          } else closeDialog(/** @type {HTMLDialogElement} */ ($('dlg-form')));
        },
      },
      label,
    )
  );
  return button;
}

/** The workspace fields, filled from ws (creating: defaults). @param {any} ws */
function workspaceFields(ws) {
  return [
    field(
      'Name',
      h('input', {
        name: 'name',
        id: 'set-name',
        required: true,
        autofocus: true,
        placeholder: 'e.g. Partner QA',
        maxlength: 200,
        value: ws?.name ?? '',
      }),
    ),
    h(
      'div',
      { class: 'row' },
      field(
        'Cloud',
        h(
          'select',
          { name: 'cloud', id: 'set-cloud' },
          CLOUDS.map((c) => h('option', { value: c, selected: c === ws?.cloud }, c.toUpperCase())),
        ),
      ),
      field(
        'Region',
        h('input', { name: 'region', id: 'set-region', placeholder: 'us-west-2', value: ws?.region ?? '' }),
      ),
    ),
    checkbox('demo', Boolean(ws?.demo), 'Sales demo workspace (every Connect call carries demo: true)'),
    checkbox('is_free_trial', Boolean(ws?.is_free_trial), 'The workspace itself is a free trial (is_free_trial: true)'),
    field(
      'Catalogs',
      h(
        'textarea',
        { name: 'catalogs', id: 'set-catalogs', rows: 2, placeholder: 'main, hive_metastore' },
        (ws?.catalogs ?? []).join('\n'),
      ),
      'One a line (or comma-separated): what the Connect dialog offers as catalog_name.',
    ),
    field(
      'External locations',
      h(
        'textarea',
        { name: 'external_locations', id: 'set-external-locations', rows: 2, placeholder: 's3://bucket/landing' },
        (ws?.external_locations ?? []).join('\n'),
      ),
      'One a line: offered as destination_location.',
    ),
  ];
}

/** @param {FormData} fd */
function workspaceBody(fd) {
  /** @type {Record<string, unknown>} */
  const body = {
    name: String(fd.get('name')).trim(),
    cloud: String(fd.get('cloud')),
    demo: fd.get('demo') === 'on',
    is_free_trial: fd.get('is_free_trial') === 'on',
  };
  const region = String(fd.get('region') ?? '').trim();
  if (region) body.region = region;
  body.catalogs = lines(fd.get('catalogs'));
  body.external_locations = lines(fd.get('external_locations'));
  return body;
}

export function newWorkspaceDialog() {
  formDialog(
    'Create a workspace',
    workspaceFields({ cloud: 'aws', catalogs: ['main', 'hive_metastore'] }),
    'Create workspace',
    async (fd) => {
      const r = await api.createWorkspace(workspaceBody(fd));
      if (!r.ok) return r.error.message;
      state.wsId = r.value.id;
      await loadWorkspaces();
      return null;
    },
  );
}

export function workspaceSettingsDialog() {
  const ws = state.workspace;
  if (!ws)
    return notify(
      'Failed to open the workspace settings: no workspace is selected. Expected a workspace first (+ Workspace).',
    );
  formDialog(
    `Workspace settings: ${ws.name}`,
    [
      h(
        'p',
        { class: 'muted small' },
        'workspace_id ',
        h('code', {}, ws.id),
        '. Changes apply to the next call Databricks makes to a partner.',
      ),
      workspaceFields(ws),
    ],
    'Save',
    async (fd) => {
      const r = await api.updateWorkspace(ws.id, workspaceBody(fd));
      if (!r.ok) return r.error.message;
      await loadWorkspaces();
      notify(`Saved the settings of ${r.value.name}.`, 'info');
      return null;
    },
    deleteButton('ws-delete', 'Delete workspace…', `Yes, delete ${ws.name}`, async () => {
      const r = await api.deleteWorkspace(ws.id);
      if (!r.ok) return r.error.message;
      state.wsId = '';
      await loadWorkspaces();
      notify(
        `Deleted workspace ${ws.name}, its connections and their resources (the partners were not called).`,
        'info',
      );
      return null;
    }),
  );
}

export function newUserDialog() {
  if (!state.workspace)
    return notify('Failed to add a user: no workspace is selected. Expected a workspace first (+ Workspace).');
  formDialog(
    `Add a user to ${state.workspace.name}`,
    [
      field(
        'Email',
        h('input', {
          name: 'email',
          type: 'email',
          required: true,
          autofocus: true,
          placeholder: 'u2@acme.databricks-test.com',
        }),
        "Use a databricks-test.com sub-domain so the partner's test-only hooks (delete / expire account) accept it. A known email joins with its existing user id.",
      ),
      h(
        'div',
        { class: 'row' },
        field('First name', h('input', { name: 'first_name' })),
        field('Last name', h('input', { name: 'last_name' })),
      ),
      checkbox('admin', false, 'Workspace admin'),
    ],
    'Add user',
    async (fd) => {
      const body = {
        email: String(fd.get('email')).trim(),
        first_name: String(fd.get('first_name') ?? ''),
        last_name: String(fd.get('last_name') ?? ''),
        admin: fd.get('admin') === 'on',
      };
      const r = await api.addUser(state.wsId, body);
      if (!r.ok) return r.error.message;
      state.userId = r.value.id;
      await loadWorkspace();
      return null;
    },
  );
}

export function userSettingsDialog() {
  const ws = state.workspace;
  const u = currentUser();
  if (!ws || !u)
    return notify('Failed to open the user settings: no user is selected. Expected a user first (+ User).');
  formDialog(
    `User settings: ${u.email}`,
    [
      h(
        'p',
        { class: 'muted small' },
        'databricks_user_id ',
        h('code', {}, u.id),
        '. The email is the identity partners see; to use another, add a user.',
      ),
      h(
        'div',
        { class: 'row' },
        field(
          'First name',
          h('input', { name: 'first_name', id: 'set-first-name', value: u.first_name, autofocus: true }),
        ),
        field('Last name', h('input', { name: 'last_name', id: 'set-last-name', value: u.last_name })),
      ),
      checkbox('admin', u.admin, 'Workspace admin (only admins create connections in Databricks)'),
    ],
    'Save',
    async (fd) => {
      const r = await api.updateUser(ws.id, u.id, {
        first_name: String(fd.get('first_name') ?? ''),
        last_name: String(fd.get('last_name') ?? ''),
        admin: fd.get('admin') === 'on',
      });
      if (!r.ok) return r.error.message;
      await loadWorkspace();
      return null;
    },
    deleteButton('user-delete', `Remove from ${ws.name}…`, `Yes, remove ${u.email}`, async () => {
      const r = await api.removeUser(ws.id, u.id);
      if (!r.ok) return r.error.message;
      state.userId = '';
      await loadWorkspace();
      notify(`Removed ${u.email} from ${ws.name}.`, 'info');
      return null;
    }),
  );
}
