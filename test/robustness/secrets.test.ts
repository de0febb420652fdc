/**
 * Secrets: a full `pcsim run` and a `pcsim serve` session with known, distinctive secret values
 * (BASIC_PASSWORD, PAT_TOKEN); stdout, stderr, every report file, the journal, every API answer
 * and the server-sent events are grepped for them, in clear and in their Basic base64 form.
 * `--show-secrets` is the positive control: the same grep finds them, and a loud warning says so.
 * Needs `npm run build` (the children run bin/pcsim.js → dist).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { get as httpGet } from 'node:http';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseJson } from '../../src/contract/json.js';
import { LOG_FILE_NAME, readDurableState, STATE_FILE_NAME } from '../../src/store/lowdb.js';
import { exitWithin, killAll, pcsim, servingUrl } from './support/pcsim-process.js';

const USER = 'robust-basic-user';
const PASSWORD = 'Basic-PW-robust-5e1d9a';
const PAT = 'dapiROBUSTPAT0c4f7a2b9e61d3';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const SECRETS = { password: PASSWORD, pat: PAT, basic_base64: BASIC };
const ENV = { BASIC_USER: USER, BASIC_PASSWORD: PASSWORD, PAT_TOKEN: PAT };

const dirs: string[] = [];
afterAll(async () => {
  killAll();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'pcsim-secrets-'));
  dirs.push(d);
  return d;
}

/** Which secrets appear in which text: [] when none leaks. */
function leaks(texts: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts))
    for (const [name, secret] of Object.entries(SECRETS)) if (text.includes(secret)) found.push(`${name} in ${where}`);
  return found;
}

/** Every value under a secret-named key is redacted (covers the OAuth secrets pcsim generates itself). */
function unredactedSecretFields(text: string): string[] {
  const re =
    /"(personal_access_token|service_principal_oauth_secret|oauth_secret|client_secret|access_token|refresh_token|password|pat)"\s*:\s*"([^"]*)"/g;
  return [...text.matchAll(re)].filter((m) => m[2] !== '' && m[2] !== '***redacted***').map((m) => `${m[1]}=${m[2]}`);
}

/** The state files of a data directory (its tls/ folder holds pcsim's own CA, no partner secret). */
async function readAll(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of await readdir(dir, { withFileTypes: true }))
    if (f.isFile()) out[path.join(dir, f.name)] = await readFile(path.join(dir, f.name), 'utf8');
  return out;
}

describe('pcsim run', () => {
  it('a full run with known secrets: stdout, stderr and the json/junit/html reports contain none of them', async () => {
    const dir = await tempDir();
    const files = { json: path.join(dir, 'r.json'), junit: path.join(dir, 'r.xml'), html: path.join(dir, 'r.html') };
    const p = pcsim(
      [
        'run',
        '--reporter',
        'console',
        '--reporter',
        `json:${files.json}`,
        '--reporter',
        `junit:${files.junit}`,
        '--reporter',
        `html:${files.html}`,
        '--retry-backoff-ms',
        '0,0,0',
        '--timeout-ms',
        '5000',
      ],
      ENV,
    );
    const exit = await exitWithin(p, 60000);
    // 0 (all passed) or 1 (a journey failed): either way the run finished and wrote its reports.
    expect({ code: [0, 1].includes(exit.code ?? -1), stderr: p.stderr().slice(-2000) }).toEqual({
      code: true,
      stderr: expect.any(String),
    });
    const reports = await readAll(dir);
    expect(Object.keys(reports)).toHaveLength(3);
    // The run really sent the secrets (the PAT travels in every Connect; the report shows it redacted).
    const json = reports[files.json]!;
    expect(json).toContain('"personal_access_token": "***redacted***"');
    expect(json).toContain('Basic ***redacted***');
    expect(leaks({ stdout: p.stdout(), stderr: p.stderr(), ...reports })).toEqual([]);
    expect(unredactedSecretFields(json)).toEqual([]);
  });

  it('--show-secrets prints a loud warning, and then the secrets do appear (the grep above would see them)', async () => {
    const dir = await tempDir();
    const report = path.join(dir, 'r.json');
    const p = pcsim(
      ['run', '--journeys', 'P100', '--show-secrets', '--reporter', `json:${report}`, '--retry-backoff-ms', '0,0,0'],
      ENV,
    );
    const exit = await exitWithin(p, 30000);
    expect(exit.code).toBe(0);
    expect(p.stderr()).toContain(
      "WARNING: --show-secrets is on: Basic passwords, PATs and OAuth secrets appear in clear in this run's output and reports. Use it for local debugging only; never in CI.",
    );
    expect(leaks({ report: await readFile(report, 'utf8') })).toEqual(
      expect.arrayContaining(['pat in report', 'basic_base64 in report']),
    );
  });
});

/** Collects the server-sent events of a pcsim serve until stop() (bounded by the session). */
function collectEvents(url: string): Promise<{ text: () => string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(`${url}/api/events`, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('error', () => undefined);
      resolve({ text: () => text, stop: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

describe('pcsim serve', () => {
  let stateFiles: Record<string, string> | undefined;
  it('a session (connect, hooks, journal, events, delete) with known secrets: no API answer, event, log line or journal entry contains them', async () => {
    const dir = await tempDir();
    const data = path.join(dir, 'data');
    const p = pcsim(
      ['serve', '--port', '0', '--data', data, '--retry-backoff-ms', '0,0,0', '--timeout-ms', '5000'],
      ENV,
    );
    const url = await servingUrl(p);
    const answers: Record<string, string> = {};
    let n = 0;
    const call = async (method: string, route: string, body?: unknown) => {
      const res = await fetch(`${url}${route}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      answers[`${++n} ${method} ${route} → ${res.status}`] = text;
      return { status: res.status, body: text ? (parseJson(text) as Record<string, any>) : {} };
    };
    const events = await collectEvents(url);
    try {
      const partner = (await call('GET', '/api/partners')).body.partners[0].id as string;
      const ws = (await call('POST', '/api/workspaces', { name: 'secrets' })).body.id as string;
      const user = (await call('POST', `/api/workspaces/${ws}/users`, { email: 'keeper@secrets.databricks-test.com' }))
        .body.id as string;
      const connected = await call('POST', `/api/workspaces/${ws}/partners/${partner}/connect`, { user_id: user });
      expect(connected.body.outcome).toBe('connected');
      expect(
        (await call('POST', `/api/workspaces/${ws}/partners/${partner}/connect`, { user_id: user })).body.outcome,
      ).toBe('signed_in');
      await call('POST', `/api/workspaces/${ws}/partners/${partner}/hooks/test-connection`, {});
      await call('POST', `/api/workspaces/${ws}/partners/${partner}/hooks/expire-account`, { user_id: user });
      await call('GET', `/api/partners/${partner}/connectors`);
      await call('GET', `/api/workspaces/${ws}`);
      await call('GET', `/api/workspaces/${ws}/partners/${partner}/connection`);
      await call('DELETE', `/api/workspaces/${ws}/partners/${partner}/connection`);
      await call('POST', `/api/workspaces/${ws}/partners/${partner}/hooks/delete-account`, {
        domain: 'secrets.databricks-test.com',
      });
      // A wrong call: error messages must not carry secrets either.
      await call('POST', `/api/workspaces/${ws}/partners/${partner}/hooks/test-connection`, {});
      const journal = await call('GET', '/api/journal?limit=1000');
      expect(journal.body.exchanges.length).toBeGreaterThanOrEqual(6);
      for (const e of journal.body.exchanges as Array<{ id: string }>) await call('GET', `/api/journal/${e.id}`);
      await call('GET', `/api/partners/${partner}`);
      await call('GET', '/api/health');
      await call('GET', '/api/openapi.json');
    } finally {
      events.stop();
      p.child.kill('SIGTERM');
    }
    expect((await exitWithin(p, 10000)).code).toBe(0);
    expect(events.text()).toContain('event: exchange');

    const all = { ...answers, events: events.text(), stdout: p.stdout(), stderr: p.stderr() };
    expect(leaks(all)).toEqual([]);
    expect(
      Object.entries(all).flatMap(([where, t]) => unredactedSecretFields(t).map((s) => `${s} in ${where}`)),
    ).toEqual([]);

    // The journal as persisted (the state file and its log: what a restart reads).
    const state = await readDurableState(data);
    const journalText = JSON.stringify(state.journal, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    expect(state.journal.length).toBeGreaterThanOrEqual(6);
    expect(leaks({ 'persisted journal': journalText })).toEqual([]);
    expect(unredactedSecretFields(journalText)).toEqual([]);
    stateFiles = await readAll(data);
  }, 60000);

  // pcsim.json keeps digests of PATs and OAuth secrets (pat_sha256), never the values.
  it('the state directory files (pcsim.json, its log, reference-partner.json) contain no secret at all', () => {
    const names = Object.keys(stateFiles ?? {}).map((f) => path.basename(f));
    expect(names).toEqual(expect.arrayContaining([STATE_FILE_NAME, 'reference-partner.json']));
    expect(names.filter((n) => ![STATE_FILE_NAME, LOG_FILE_NAME, 'reference-partner.json'].includes(n))).toEqual([]);
    expect(leaks(stateFiles!)).toEqual([]);
    expect(
      Object.entries(stateFiles!).flatMap(([f, t]) => unredactedSecretFields(t).map((x) => `${x} in ${f}`)),
    ).toEqual([]);
  });
});
