import { describe, expect, it, afterAll } from '@jest/globals';
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseJson } from '../../../contract/json.js';
import type { RunReport } from '../../types.js';
import { createConsoleReporter } from '../console.js';
import { renderHtml } from '../html.js';
import { parseReporterSpec, writeFileReports } from '../index.js';
import { renderJson } from '../json.js';
import { renderJunit } from '../junit.js';

const BIG_ID = 4645065419173783088n;
const XSS = '<script>alert(1)</script>';
const ANSI = /\u001b\[/;

/** A run as the runner would build it: one journey of each status, partner text that tries to inject markup. */
function sampleReport(): RunReport {
  return {
    tool: 'pcsim',
    version: '0.1.0',
    partner: { name: `Acme ${XSS} & Co`, base_url: 'https://partner.example.com/api' },
    started_at: '2025-01-02T03:04:05.678Z',
    duration_ms: 1234,
    summary: { passed: 1, failed: 1, skipped: 1, manual: 1, total: 4 },
    journeys: [
      {
        id: 'P100',
        title: 'new user, new workspace connects',
        status: 'passed',
        duration_ms: 42,
        steps: [
          {
            name: 'connect(u1, ws1, false)',
            request: {
              method: 'POST',
              url: 'https://partner.example.com/api/connect',
              headers: { 'content-type': 'application/json', authorization: 'Basic ***redacted***' },
              body: {
                workspace_id: BIG_ID,
                user_id: 123n,
                is_connection_established: false,
                personal_access_token: '***redacted***',
              },
            },
            response: {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: {
                connection_id: 'c-1',
                user_status: 'new',
                account_status: 'new',
                redirect_value: 'create_trial',
                redirect_uri: 'https://partner.example.com/welcome',
              },
            },
            duration_ms: 30,
            attempts: 1,
            redirect: { url: 'https://partner.example.com/welcome', status: 200, duration_ms: 12 },
            violations: [
              {
                rule: 'connect.response.unknown_field',
                field: 'extra',
                message:
                  'Failed to validate the Connect response: unknown field(s) extra. Expected only the fields of the contract.',
                severity: 'warning',
              },
            ],
          },
        ],
      },
      {
        id: 'P302',
        title: 'a new user signs in to the existing connection',
        status: 'failed',
        reason: 'Failed to sign in u2: user_status is "bogus". Expected one of "new", "existing".',
        duration_ms: 1500,
        steps: [
          {
            name: 'connect(u2, ws1, true, c-1)',
            request: {
              method: 'POST',
              url: 'https://partner.example.com/api/connect',
              headers: {},
              body: { workspace_id: BIG_ID },
            },
            response: {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: {
                user_status: 'bogus',
                display_message: `Hi ${XSS}\u001b[31m red`,
                redirect_uri: `javascript:alert(1)//${XSS}`,
              },
            },
            duration_ms: 20,
            attempts: 1,
            redirect: { url: `javascript:alert(1)//${XSS}`, error: 'unsupported protocol', duration_ms: 1 },
            violations: [
              {
                rule: 'connect.response.enum',
                field: 'user_status',
                message:
                  'Failed to validate the Connect response: user_status is "bogus". Expected one of "new", "existing".',
                severity: 'error',
              },
              {
                rule: 'connect.redirect.host',
                field: 'redirect_uri',
                message: `Failed to open redirect_uri: ${XSS}\u001b[2J\u0000 is not in hostnames.`,
                severity: 'error',
              },
            ],
          },
          {
            name: 'test-connection(c-1)',
            request: { method: 'POST', url: 'https://partner.example.com/api/test-connection', headers: {} },
            error: 'connect ECONNREFUSED 127.0.0.1:9',
            duration_ms: 1400,
            attempts: 3,
            attempt_log: [
              { n: 1, error: 'ECONNREFUSED', waited_ms: 0, duration_ms: 2 },
              { n: 2, error: 'ECONNREFUSED', waited_ms: 1000, duration_ms: 2 },
              { n: 3, status: 503, waited_ms: 2000, duration_ms: 3 },
            ],
            violations: [],
          },
        ],
      },
      {
        id: 'P900',
        title: 'connector list',
        status: 'skipped',
        reason: 'category is ETL, not INGEST (partner.json: category)',
        duration_ms: 0,
        steps: [],
      },
      {
        id: 'P200',
        title: 'core integration works',
        status: 'manual',
        reason: 'the partner did not call the simulated workspace; check it by hand',
        duration_ms: 5,
        steps: [],
        manual_checks: ['Open the partner UI and run a query against the SQL warehouse.'],
      },
    ],
  };
}

function runConsole(r: RunReport, color: boolean, verbose = false): string {
  let out = '';
  const rep = createConsoleReporter({ write: (s) => (out += s), color, verbose });
  for (const j of r.journeys) {
    rep.onJourneyStart(j.id, j.title);
    rep.onJourneyEnd(j);
  }
  rep.onRunEnd(r);
  return out;
}

describe('console reporter', () => {
  it('writes plain text without colour, ending with the totals line', () => {
    const out = runConsole(sampleReport(), false);
    expect(out).not.toMatch(/\u001b/);
    const lines = out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('1 passed, 1 failed, 1 skipped, 1 manual');
    expect(out).toMatch(/^✓ P100 {2}new user, new workspace connects {3}42 ms/m);
    expect(out).toMatch(/^✗ P302 {2}a new user signs in/m);
    expect(out).toMatch(/^- P900 {2}connector list {2}skipped: category is ETL/m);
    expect(out).toMatch(/^\? P200 {2}core integration works {2}manual: /m);
  });

  it('lists failure reasons, failing steps and violations', () => {
    const out = runConsole(sampleReport(), false);
    const failures = out.slice(out.indexOf('Failures (1)'));
    expect(failures).toContain('Failed to sign in u2: user_status is "bogus"');
    expect(failures).toContain('connect(u2, ws1, true, c-1)');
    expect(failures).toContain('[connect.response.enum] user_status: Failed to validate the Connect response');
    expect(failures).toContain('[connect.redirect.host] redirect_uri');
    expect(failures).toContain('test-connection(c-1)');
    expect(failures).toContain('no response (connect ECONNREFUSED 127.0.0.1:9)');
    // The partner's ESC and NUL are shown as escapes, never passed to the terminal.
    expect(failures).toContain('\\u001b[2J\\u0000');
  });

  it('has a summary table with id, status, duration and reason', () => {
    const out = runConsole(sampleReport(), false);
    expect(out).toMatch(/^id\s+status\s+duration\s+reason$/m);
    expect(out).toMatch(/^P302\s+failed\s+1\.50 s\s+Failed to sign in u2/m);
    expect(out).toMatch(/^P900\s+skipped\s+0 ms\s+category is ETL/m);
  });

  it('uses ANSI colour only when asked, and keeps the last line plain', () => {
    const out = runConsole(sampleReport(), true);
    expect(out).toMatch(ANSI);
    expect(out.trimEnd().split('\n').at(-1)).toBe('1 passed, 1 failed, 1 skipped, 1 manual');
  });

  it('shows every step and warnings in verbose mode', () => {
    const quiet = runConsole(sampleReport(), false);
    const verbose = runConsole(sampleReport(), false, true);
    expect(quiet).not.toContain('connect(u1, ws1, false)');
    expect(verbose).toContain('▸ P100  new user, new workspace connects');
    expect(verbose).toContain('connect(u1, ws1, false): POST https://partner.example.com/api/connect → 200');
    expect(verbose).toContain('warning [connect.response.unknown_field] extra');
    expect(verbose).not.toMatch(/\u001b/);
  });
});

describe('JSON reporter', () => {
  it('round-trips with exact int64 digits', () => {
    const text = renderJson(sampleReport());
    expect(text).toContain('"workspace_id": 4645065419173783088');
    const back = parseJson(text) as RunReport;
    const body = back.journeys[0]!.steps[0]!.request.body as Record<string, unknown>;
    expect(body.workspace_id).toBe(BIG_ID);
    expect(back.summary).toEqual({ passed: 1, failed: 1, skipped: 1, manual: 1, total: 4 });
  });

  it('uses the field names of DESIGN.md, in its order, pretty with 2 spaces', () => {
    const r = sampleReport();
    // Build it in a different key order: the output order must not depend on it.
    const scrambled = {
      journeys: r.journeys,
      summary: r.summary,
      duration_ms: r.duration_ms,
      started_at: r.started_at,
      partner: { base_url: r.partner.base_url, name: r.partner.name },
      version: r.version,
      tool: r.tool,
    } as RunReport;
    const text = renderJson(scrambled);
    expect(text.startsWith('{\n  "tool": "pcsim",\n  "version": "0.1.0",\n  "partner": {\n    "name": ')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    const back = parseJson(text) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual([
      'tool',
      'version',
      'partner',
      'started_at',
      'duration_ms',
      'summary',
      'journeys',
    ]);
    expect(Object.keys(back.partner as object)).toEqual(['name', 'base_url']);
    expect(Object.keys(back.summary as object)).toEqual(['passed', 'failed', 'skipped', 'manual', 'total']);
    const journeys = back.journeys as Record<string, unknown>[];
    expect(Object.keys(journeys[1]!)).toEqual(['id', 'title', 'status', 'reason', 'duration_ms', 'steps']);
    const step = (journeys[1]!.steps as Record<string, unknown>[])[0]!;
    expect(Object.keys(step)).toEqual([
      'name',
      'request',
      'response',
      'duration_ms',
      'attempts',
      'redirect',
      'violations',
    ]);
    expect(Object.keys(step.request as object)).toEqual(['method', 'url', 'headers', 'body']);
    expect(Object.keys(step.response as object)).toEqual(['status', 'headers', 'body']);
    expect(Object.keys((step.violations as object[])[0]!)).toEqual(['rule', 'field', 'message', 'severity']);
    expect(journeys[3]!.manual_checks).toEqual(['Open the partner UI and run a query against the SQL warehouse.']);
  });
});

describe('JUnit reporter', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    isArray: (name) => name === 'testcase',
  });

  it('is well-formed XML with the right counts', () => {
    const xml = renderJunit(sampleReport());
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const suites = doc.testsuites;
    expect(suites['@_name']).toBe('pcsim');
    expect(suites['@_tests']).toBe('4');
    expect(suites['@_failures']).toBe('1');
    expect(suites['@_skipped']).toBe('2');
    expect(suites['@_time']).toBe('1.234');
    const suite = suites.testsuite;
    expect(suite['@_name']).toBe(`pcsim: Acme ${XSS} & Co`);
    const cases = suite.testcase as Record<string, unknown>[];
    expect(cases.map((c) => c['@_name'])).toEqual([
      'P100 new user, new workspace connects',
      'P302 a new user signs in to the existing connection',
      'P900 connector list',
      'P200 core integration works',
    ]);
    expect(cases.every((c) => c['@_classname'] === 'pcsim.journeys')).toBe(true);
    expect(cases[0]!['@_time']).toBe('0.042');
    expect(cases[0]!.failure).toBeUndefined();
  });

  it('describes failures, skips and manual checks', () => {
    const doc = parser.parse(renderJunit(sampleReport()));
    const cases = doc.testsuites.testsuite.testcase as Record<string, any>[];
    const failure = cases[1]!.failure;
    expect(failure['@_type']).toBe('contract');
    expect(failure['@_message']).toBe(
      'Failed to sign in u2: user_status is "bogus". Expected one of "new", "existing".',
    );
    expect(failure['#text']).toContain('[connect.response.enum] user_status');
    expect(failure['#text']).toContain('test-connection(c-1)');
    expect(cases[2]!.skipped['@_message']).toBe('category is ETL, not INGEST (partner.json: category)');
    expect(cases[3]!.skipped['@_message']).toBe(
      'manual: the partner did not call the simulated workspace; check it by hand',
    );
    expect(cases[0]!['system-out']).toContain(
      'connect(u1, ws1, false): POST https://partner.example.com/api/connect → 200',
    );
    expect(cases[0]!['system-out']).toContain('4645065419173783088');
    expect(cases[3]!['system-out']).toContain('Open the partner UI');
  });

  it('escapes markup and strips characters XML 1.0 forbids', () => {
    const r = sampleReport();
    r.journeys[1]!.reason = `bad "quote" & <tag> 'apos'\u0000\u0001\u0008\u000b\u001b\uFFFE end\nsecond line`;
    const xml = renderJunit(r);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE]/);
    expect(xml).not.toContain('<script>');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml);
    const failure = (doc.testsuites.testsuite.testcase as Record<string, any>[])[1]!.failure;
    expect(failure['@_message']).toContain(`bad "quote" & <tag> 'apos' end`);
  });
});

describe('HTML reporter', () => {
  it('escapes partner-controlled markup everywhere', () => {
    const html = renderHtml(sampleReport());
    expect(html).not.toContain('<script');
    expect(html).not.toContain(XSS);
    expect(html).toContain('Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('javascript:alert(1)//&lt;script&gt;');
    expect(html).not.toMatch(/href="javascript/i);
    // The partner's ESC and NUL become visible escapes instead of raw control characters.
    expect(html).not.toMatch(/[\u0000\u001b]/);
    expect(html).toContain('\\u001b[2J\\u0000');
  });

  it('is self-contained and shows every journey, step and violation', () => {
    const html = renderHtml(sampleReport());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<link|<img|src=|@import|url\(/i);
    for (const id of ['P100', 'P302', 'P900', 'P200']) expect(html).toContain(`id="j-${id}"`);
    expect(html).toContain('4645065419173783088');
    expect(html).toContain('&quot;workspace_id&quot;: 4645065419173783088');
    expect(html).toContain('connect.response.enum');
    expect(html).toContain('connect ECONNREFUSED 127.0.0.1:9');
    expect(html).toContain('Redirect check');
    expect(html).toContain('<span class="badge failed">failed</span>');
    expect(html).toContain('https://partner.example.com/api');
    expect(html).toContain('2025-01-02T03:04:05.678Z');
  });
});

describe('parseReporterSpec', () => {
  it('accepts the four kinds', () => {
    expect(parseReporterSpec('console')).toEqual({ kind: 'console' });
    expect(parseReporterSpec('json:out/report.json')).toEqual({ kind: 'json', path: 'out/report.json' });
    expect(parseReporterSpec('junit:junit.xml')).toEqual({ kind: 'junit', path: 'junit.xml' });
    expect(parseReporterSpec('html:C:\\reports\\r.html')).toEqual({ kind: 'html', path: 'C:\\reports\\r.html' });
  });

  it('rejects unknown kinds and missing paths', () => {
    expect(parseReporterSpec('xml:out.xml')).toEqual({
      error:
        'Failed to read --reporter xml:out.xml: unknown kind xml. Expected console, json:PATH, junit:PATH or html:PATH.',
    });
    expect(parseReporterSpec('tap')).toEqual({
      error: 'Failed to read --reporter tap: unknown kind tap. Expected console, json:PATH, junit:PATH or html:PATH.',
    });
    expect(parseReporterSpec('json')).toHaveProperty('error', expect.stringContaining('needs a file PATH'));
    expect(parseReporterSpec('html:')).toHaveProperty('error');
    expect(parseReporterSpec('console:x')).toHaveProperty('error', expect.stringContaining('takes no PATH'));
    expect(parseReporterSpec('')).toHaveProperty('error');
  });
});

describe('writeFileReports', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes json, junit and html files, creating parent directories', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcsim-reporters-'));
    dirs.push(dir);
    const r = sampleReport();
    const paths = [join(dir, 'a', 'b', 'report.json'), join(dir, 'junit', 'pcsim.xml'), join(dir, 'report.html')];
    const written = await writeFileReports(r, [
      { kind: 'console' },
      { kind: 'json', path: paths[0]! },
      { kind: 'junit', path: paths[1]! },
      { kind: 'html', path: paths[2]! },
    ]);
    expect(written).toEqual(paths);
    expect(await readFile(paths[0]!, 'utf8')).toBe(renderJson(r));
    expect(await readFile(paths[1]!, 'utf8')).toBe(renderJunit(r));
    expect(await readFile(paths[2]!, 'utf8')).toBe(renderHtml(r));
  });

  it('rejects with a message naming the file it could not write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcsim-reporters-'));
    dirs.push(dir);
    const target = join(dir, 'is-a-dir');
    await mkdir(target);
    await expect(writeFileReports(sampleReport(), [{ kind: 'json', path: target }])).rejects.toThrow(
      `Failed to write the json report to ${target}`,
    );
  });

  it('writes nothing for console only', async () => {
    expect(await writeFileReports(sampleReport(), [{ kind: 'console' }])).toEqual([]);
  });
});

describe('a failed journey: re-run command and expected vs received', () => {
  const failed = (): RunReport => {
    const r = sampleReport();
    const j = r.journeys.find((x) => x.id === 'P302')!;
    j.rerun = "pcsim run --partner 'my partner.json' --journeys P302";
    j.steps[0]!.violations[0] = { ...j.steps[0]!.violations[0]!, expected: '"new" or "existing"', received: '"bogus"' };
    return r;
  };

  it('console prints the command and each field side by side', () => {
    const out = runConsole(failed(), false);
    expect(out).toContain("  re-run: pcsim run --partner 'my partner.json' --journeys P302");
    expect(out).toContain('user_status: expected "new" or "existing" · received "bogus"');
  });

  it('HTML shows both in the journey, escaped', () => {
    const html = renderHtml(failed());
    expect(html).toContain(
      'Re-run just this journey: <code>pcsim run --partner &#x27;my partner.json&#x27; --journeys P302</code>',
    );
    expect(html).toMatch(
      /<th>expected<\/th><td><code>&quot;new&quot; or &quot;existing&quot;<\/code><\/td><\/tr><tr><th>received<\/th><td><code>&quot;bogus&quot;<\/code>/,
    );
  });

  it('JUnit puts both in the failure text', async () => {
    const { renderJunit } = await import('../junit.js');
    const xml = renderJunit(failed());
    expect(xml).toContain("re-run: pcsim run --partner 'my partner.json' --journeys P302</failure>");
    expect(xml).toContain('user_status: expected "new" or "existing" · received "bogus"');
  });
});
