/**
 * Shared set-up of the UI tests: Debian's headless Chromium through playwright-core (never a
 * downloaded browser), pcsim serve started in process on a loopback port, and screenshots of
 * the page taken when a step fails (into a temp dir whose path is printed).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startServer, type RunningServer, type ServeOptions } from '../../../src/server/start.js';
import { SEED } from '../../../src/server/seed.js';

export const CREDS = { user: 'databricks', password: 'pcsim-reference-secret' };
export const ACME = SEED.workspaces[0].id;
export const DEMO = SEED.workspaces[1].id;
export const ADMIN = SEED.users[0].id;
export const ANALYST = SEED.users[1].id;
export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchBrowser(): Promise<Browser> {
  // executablePath: Debian's Chromium; playwright-core never downloads a browser.
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 20000 });
}

export function startPcsim(extra: Partial<ServeOptions> = {}): Promise<RunningServer> {
  return startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: null,
    credentials: CREDS,
    retryBackoffMs: [0, 0, 0],
    timeoutMs: 5000,
    ...extra,
  });
}

let shotDir: string | undefined;
/** The directory of failure screenshots (created on first use, path printed once). */
export function screenshotDir(): string {
  if (!shotDir) {
    shotDir = mkdtempSync(path.join(tmpdir(), 'pcsim-ui-shots-'));
    process.stderr.write(`pcsim UI tests: failure screenshots go to ${shotDir}\n`);
  }
  return shotDir;
}

/** Problems the page itself reported (uncaught errors, console errors, JS dialogs). */
export interface PageWatch {
  errors: string[];
  dialogs: string[];
}

export async function openPage(
  browser: Browser,
  baseUrl: string,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; watch: PageWatch }> {
  const context = await browser.newContext({ viewport });
  // Loopback only: anything else the page tries to fetch is refused and reported.
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => {
    watch.errors.push(`external request blocked: ${route.request().url()}`);
    return route.abort();
  });
  const page = await context.newPage();
  const watch: PageWatch = { errors: [], dialogs: [] };
  page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') watch.errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.setDefaultTimeout(10000);
  await page.goto(`${baseUrl}/`);
  await page.waitForSelector('body[data-ready="true"]');
  return { context, page, watch };
}

/** Runs a test body; on failure saves a screenshot of every open page, prints the paths, rethrows. */
export async function withShots(context: BrowserContext, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const dir = screenshotDir();
    const safe = name.replace(/[^\w.-]+/g, '_');
    for (const [i, p] of context.pages().entries()) {
      const file = path.join(dir, `${safe}-${i}.png`);
      try {
        await p.screenshot({ path: file, fullPage: true, timeout: 5000 });
        process.stderr.write(`pcsim UI tests: screenshot of the failed step "${name}": ${file}\n`);
      } catch {
        /* a closed page has nothing to show */
      }
    }
    throw err;
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** Calls the admin API of the server under test (set-up steps that are not what a test checks). */
export async function adminApi(
  baseUrl: string,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/**
 * Waiting assertions on a locator (playwright-core has no `expect`): each polls until the page
 * shows what is expected, within a bound, and fails naming what it saw last.
 */
export function see(locator: Locator, timeoutMs = 10000) {
  const poll = async (what: string, check: () => Promise<{ ok: boolean; saw: string }>) => {
    const end = Date.now() + timeoutMs;
    let last = { ok: false, saw: '(nothing yet)' };
    for (;;) {
      try {
        last = await check();
      } catch (err) {
        last = { ok: false, saw: `error: ${(err as Error).message.split('\n')[0]}` };
      }
      if (last.ok) return;
      if (Date.now() > end)
        throw new Error(`Failed to see ${locator} ${what} within ${timeoutMs} ms: saw ${last.saw}.`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const text = async () => (await locator.allTextContents()).join(' | ');
  const attr = async (name: string) => ((await locator.count()) === 0 ? null : locator.first().getAttribute(name));
  const api = (negate: boolean) => ({
    toContainText: (s: string) =>
      poll(`${negate ? 'not ' : ''}contain ${JSON.stringify(s)}`, async () => {
        const t = await text();
        return { ok: t.includes(s) !== negate, saw: JSON.stringify(t.slice(0, 400)) };
      }),
    toHaveText: (s: string | string[]) =>
      poll(`have text ${JSON.stringify(s)}`, async () => {
        const all = (await locator.allTextContents()).map((x) => x.trim());
        const ok = Array.isArray(s) ? JSON.stringify(all) === JSON.stringify(s) : all.length === 1 && all[0] === s;
        return { ok: ok !== negate, saw: JSON.stringify(all) };
      }),
    toHaveAttribute: (name: string, value: string) =>
      poll(`${negate ? 'not ' : ''}have ${name}=${JSON.stringify(value)}`, async () => {
        const v = await attr(name);
        return { ok: (v === value) !== negate, saw: JSON.stringify(v) };
      }),
    toHaveCount: (n: number) =>
      poll(`count ${n}`, async () => {
        const c = await locator.count();
        return { ok: (c === n) !== negate, saw: String(c) };
      }),
    toHaveValue: (v: string) =>
      poll(`have value ${JSON.stringify(v)}`, async () => {
        const x = await locator.inputValue();
        return { ok: (x === v) !== negate, saw: JSON.stringify(x) };
      }),
    toBeFocused: () =>
      poll(`${negate ? 'not ' : ''}be focused`, async () => {
        const f = await locator.evaluate((el) => el === document.activeElement);
        return { ok: f !== negate, saw: f ? 'focused' : 'not focused' };
      }),
    toBeChecked: () =>
      poll('be checked', async () => {
        const c = await locator.isChecked();
        return { ok: c !== negate, saw: c ? 'checked' : 'unchecked' };
      }),
    toBeVisible: () =>
      poll('be visible', async () => {
        const v = await locator.isVisible();
        return { ok: v !== negate, saw: v ? 'visible' : 'hidden' };
      }),
  });
  return { ...api(false), not: api(true) };
}

let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core (the devDependency, injected through the DevTools protocol, which the page's
 * CSP does not govern) on the page as it is, and returns the serious and critical violations,
 * experimental rules included (label-content-name-mismatch is one).
 */
export async function axeProblems(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'], rules: { 'label-content-name-mismatch': { enabled: true } } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}
