/**
 * Exploratory testing as a new user would do it, in Debian's headless Chromium (issue 19): the
 * reference partner's own core integration turning its tile's P200 green, workspace and user
 * settings, the Journeys view's chooser and event stream, reports opened in the browser, the
 * inspector's Clear, and the page at 760, 1024 and 1440 px with axe-core. One browser and one
 * server for the file; the state is re-seeded before each test.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../src/server/start.js';
import {
  ACME,
  ADMIN,
  ANALYST,
  adminApi,
  axeProblems,
  launchBrowser,
  openPage,
  screenshotDir,
  see,
  startPcsim,
  withShots,
} from './support/ui.js';

let server: RunningServer;
let browser: Browser;
let base: string;
let partner: string;

beforeAll(async () => {
  server = await startPcsim();
  base = server.url;
  partner = server.reference!.id;
  browser = await launchBrowser();
}, 30000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

beforeEach(async () => {
  await adminApi(base, 'POST', '/api/reset', { seed: true });
});

const tile = (id: string) => `.tile[data-partner="${id}"]`;

describe('the reference partner, as a new user meets it', () => {
  it('shows P200 passed on its tile within seconds of Connect (its own core integration), and no P201', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'reference-p200', async () => {
      await page.click(`${tile(partner)} .tile-main`);
      await page.click('#connect-go');
      await see(page.locator('#connect-result')).toHaveAttribute('data-outcome', 'connected');
      const connectedAt = Date.now();
      // "Show the call in the inspector" closes the dialog that would cover it, and opens the call.
      await page.click('#show-in-inspector');
      await see(page.locator('#dlg')).not.toHaveAttribute('open', '');
      await see(page.locator('#journal .ex').first().locator('.ex-detail')).toContainText('POST');

      const verdicts = page.locator(`#tile-verdicts-${partner}`);
      await see(verdicts, 10000).toContainText('P200 passed');
      expect(Date.now() - connectedAt).toBeLessThan(10000);
      await see(verdicts).not.toContainText('P201');

      // The tile's details: the calls the partner made with its PAT — a table created, a row written and read back.
      await page.click(`${tile(partner)} .tile-main`);
      const core = page.locator('#core-integration');
      await see(core.locator('[data-journey="P200"]')).toContainText('P200 passed');
      await see(core.locator('[data-journey="P201"]')).toHaveCount(0);
      // The read back is the last call; on a loaded machine the warehouse may take a while.
      await see(core.locator('.activity'), 25000).toContainText('SELECT id, name FROM');
      await see(core.locator('.activity')).toContainText('INSERT INTO');
      await see(core.locator('.activity')).toContainText('CREATE TABLE');

      // Launch is one click: the partner's page opens in a new tab once it answers the sign-in.
      const [tab] = await Promise.all([context.waitForEvent('page'), page.click('#launch-signin')]);
      await tab.waitForURL(/\/reference-partner\/launch\?/);
      expect(tab.url()).toContain('redirect_value=sign_in');
      await see(page.locator('#connect-result')).toHaveAttribute('data-outcome', 'signed_in');
      await see(page.locator('#launched')).toContainText('opened in a new tab');
      await tab.close();
      expect(watch.errors).toEqual([]);
    });
  }, 60000);
});

describe('workspace and user settings', () => {
  it('switches an existing workspace to demo and free trial, moves its cloud, region, catalogs and locations, and deletes it', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'workspace-settings', async () => {
      await page.click('#ws-settings');
      await see(page.locator('#set-name')).toHaveValue('Acme Production');
      await page.check('#set-demo');
      await page.check('#set-is_free_trial');
      await page.selectOption('#set-cloud', 'gcp');
      await page.fill('#set-region', 'europe-west1');
      await page.fill('#set-catalogs', 'main\nsales');
      await page.fill('#set-external-locations', 'gs://acme-landing/in');
      await page.click('#form-submit');
      await see(page.locator('#dlg-form')).not.toHaveAttribute('open', '');
      const ws = (await adminApi(base, 'GET', `/api/workspaces/${ACME}`)).body;
      expect(ws).toMatchObject({
        demo: true,
        is_free_trial: true,
        cloud: 'gcp',
        region: 'europe-west1',
        catalogs: ['main', 'sales'],
        external_locations: ['gs://acme-landing/in'],
      });
      await see(page.locator('#ws-meta')).toContainText('GCP');
      await see(page.locator('#ws-meta')).toContainText('demo');
      await see(page.locator('#ws-meta')).toContainText('trial');

      // The next Connect says so: demo: true, and the new catalog is offered.
      await page.click(`${tile(partner)} .tile-main`);
      await see(page.locator('#dlg')).toContainText('demo: true');
      await see(page.locator('#connect-catalog option')).toHaveText(['main', 'sales']);
      await page.keyboard.press('Escape');

      // Delete asks once more, in place.
      await page.click('#ws-settings');
      await page.click('#ws-delete');
      await see(page.locator('#ws-delete')).toContainText('Yes, delete Acme Production');
      expect((await adminApi(base, 'GET', `/api/workspaces/${ACME}`)).status).toBe(200);
      await page.click('#ws-delete');
      await see(page.locator('#ws-select option')).not.toContainText('Acme Production');
      expect((await adminApi(base, 'GET', `/api/workspaces/${ACME}`)).status).toBe(404);
      expect(watch.errors).toEqual([]);
    });
  });

  it("changes a user's admin flag and names, and removes the user from the workspace", async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'user-settings', async () => {
      await page.selectOption('#user-select', ANALYST);
      await see(page.locator('#user-meta')).toContainText('non-admin');
      await page.click('#user-settings');
      await page.check('#set-admin');
      await page.fill('#set-last-name', 'Lovelace');
      await page.click('#form-submit');
      await see(page.locator('#user-meta')).toContainText('admin');
      await see(page.locator('#user-meta')).not.toContainText('non-admin');
      const users = (await adminApi(base, 'GET', `/api/workspaces/${ACME}/users`)).body.users as {
        id: string;
        admin: boolean;
        last_name: string;
      }[];
      expect(users.find((u) => u.id === ANALYST)).toMatchObject({ admin: true, last_name: 'Lovelace' });

      await page.click('#user-settings');
      await page.click('#user-delete');
      await page.click('#user-delete');
      await see(page.locator('#user-select option')).toHaveCount(users.length - 1);
      const after = (await adminApi(base, 'GET', `/api/workspaces/${ACME}/users`)).body.users as { id: string }[];
      expect(after.map((u) => u.id)).not.toContain(ANALYST);
      expect(after.map((u) => u.id)).toContain(ADMIN);
      expect(watch.errors).toEqual([]);
    });
  });
});

describe('Journeys view and reports', () => {
  it('refuses an empty selection, keeps the chooser, follows the event stream, tags the calls with the run; the report opens in the browser', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'journeys-run', async () => {
      const runReads: string[] = [];
      page.on('request', (r) => {
        if (/\/api\/runs\/[^/]+$/.test(new URL(r.url()).pathname)) runReads.push(r.url());
      });
      await page.click('#tab-journeys');
      await page.click('#journey-chooser summary');
      await page.click('#pick-none');
      await see(page.locator('#run-selected')).toHaveAttribute('disabled', '');
      await see(page.locator('#picked-count')).toContainText('0 of');
      await page.check('#pick-P100');
      await page.check('#pick-AUTH');
      await see(page.locator('#run-selected')).not.toHaveAttribute('disabled', '');
      await page.check('#run-strict');
      const [started] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/runs') && r.request().method() === 'POST'),
        page.click('#run-selected'),
      ]);
      expect(JSON.parse(started.request().postData() ?? '{}')).toMatchObject({
        journeys: ['P100', 'AUTH'],
        strict: true,
      });
      const runId = ((await started.json()) as { run_id: string }).run_id;
      await see(page.locator('#run-summary'), 20000).toContainText('2 passed');
      // Progress came as events: the run was read once, for its report, not polled.
      expect(runReads.length).toBeLessThanOrEqual(1);
      // The chooser stays, with the same ticks.
      await see(page.locator('#journey-chooser')).toBeVisible();
      await see(page.locator('#picked-count')).toContainText('2 of');
      // The run's calls are in the inspector, tagged with the run.
      await see(page.locator('#journal .ex', { hasText: `run ${runId}` }).first()).toContainText('connect');

      // An id in the run table opens its journey's steps.
      await page.click('tr[data-journey=P100] .journey-id');
      await see(page.locator('tr[data-journey=P100] details.steps')).toHaveAttribute('open', '');

      // The report opens in the browser (inline), and can be saved.
      const [tab] = await Promise.all([context.waitForEvent('page'), page.click('#run-report-html')]);
      await tab.waitForLoadState('domcontentloaded');
      await see(tab.locator('h1')).toContainText('Partner Connect report');
      const idCell = tab.locator('table.summary td.id').first();
      const { lines, white } = await idCell.evaluate((el) => {
        const s = getComputedStyle(el);
        return { lines: Math.round(el.getBoundingClientRect().height / parseFloat(s.lineHeight)), white: s.whiteSpace };
      });
      expect(white).toBe('nowrap');
      expect(lines).toBeLessThanOrEqual(1);
      await tab.click('table.summary a[href="#j-P100"]');
      await see(tab.locator('details.journey:has(#j-P100)')).toHaveAttribute('open', '');
      await tab.close();
      const [saved] = await Promise.all([page.waitForEvent('download'), page.click('#run-report-html-download')]);
      expect(saved.suggestedFilename()).toBe(`pcsim-report-${runId}.html`);
      expect(watch.errors).toEqual([]);
    });
  });

  it("asks before Clear empties the server's journal", async () => {
    await adminApi(base, 'POST', `/api/workspaces/${ACME}/partners/${partner}/connect`, { user_id: ADMIN });
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'inspector-clear', async () => {
      await see(page.locator('#journal .ex')).toHaveCount(1);
      await page.click('#journal-clear');
      await see(page.locator('#journal-clear')).toContainText('Clear 1 call?');
      expect(((await adminApi(base, 'GET', '/api/journal')).body.exchanges as unknown[]).length).toBe(1);
      await page.click('#journal-clear');
      await see(page.locator('#journal .ex')).toHaveCount(0);
      expect(((await adminApi(base, 'GET', '/api/journal')).body.exchanges as unknown[]).length).toBe(0);
      expect(watch.errors).toEqual([]);
    });
  });
});

describe('State & time', () => {
  it('takes a snapshot and restores it (asking first), exports and imports the state, and moves the clock', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'state-and-time', async () => {
      await page.click('#tab-state');
      await page.fill('#snapshot-name', 'clean seed');
      await page.click('#snapshot-take');
      const item = page.locator('#snapshot-list li', { hasText: 'clean seed' });
      await see(item).toContainText('workspaces');

      // Something happens after the snapshot; Restore asks first, then puts it back.
      const extra = (await adminApi(base, 'POST', '/api/workspaces', { name: 'Made later' })).body.id as string;
      await see(page.locator('#ws-select option')).toContainText('Made later');
      await item.locator('button[id^=restore-]').click();
      await see(item.locator('button[id^=restore-]')).toContainText('Replace the current state');
      expect((await adminApi(base, 'GET', `/api/workspaces/${extra}`)).status).toBe(200);
      await item.locator('button[id^=restore-]').click();
      await see(page.locator('#notice')).toContainText('Restored the snapshot');
      await see(page.locator('#ws-select option')).not.toContainText('Made later');
      expect((await adminApi(base, 'GET', `/api/workspaces/${extra}`)).status).toBe(404);

      // Export saves a file with digests only; importing it back replaces what changed since.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-state')]);
      expect(download.suggestedFilename()).toMatch(/^pcsim-state-[\d-]+\.json$/);
      const text = await readFile((await download.path())!, 'utf8');
      expect(JSON.parse(text)).toMatchObject({ format: 'pcsim-state', state: { workspaces: expect.any(Array) } });
      await adminApi(base, 'POST', '/api/workspaces', { name: 'Made after export' });
      await see(page.locator('#ws-select option')).toContainText('Made after export');
      await page.setInputFiles('#import-file', {
        name: 'pcsim-state.json',
        mimeType: 'application/json',
        buffer: Buffer.from(text),
      });
      await see(page.locator('#notice')).toContainText('Imported pcsim-state.json');
      await see(page.locator('#ws-select option')).not.toContainText('Made after export');

      // The clock: an hour ahead, then back to real time.
      await see(page.locator('#clock-offset')).toContainText('real time');
      await page.click('#clock-hour');
      await see(page.locator('#clock-offset')).toContainText('1 h ahead of real time');
      expect((await adminApi(base, 'GET', '/api/clock')).body.offset_seconds).toBe(3600);
      await page.click('#clock-reset');
      await see(page.locator('#clock-offset')).toContainText('(real time)');
      expect(watch.errors).toEqual([]);
    });
  });
});

/** Views to look at, each reached from a fresh page. */
const VIEWS: { name: string; open(page: Page): Promise<void> }[] = [
  { name: 'connect', open: async () => undefined },
  {
    name: 'connected',
    open: async (page) => {
      await page.click(`${tile(partner)} .tile-main`);
      await see(page.locator('#core-integration [data-journey="P200"]')).toContainText('P200');
    },
  },
  {
    name: 'settings',
    open: async (page) => {
      await page.click('#ws-settings');
      await see(page.locator('#set-name')).toBeVisible();
    },
  },
  {
    name: 'journeys',
    open: async (page) => {
      await page.click('#tab-journeys');
      await see(page.locator('#run-all')).toBeVisible();
    },
  },
  {
    name: 'state',
    open: async (page) => {
      await page.click('#tab-state');
      await see(page.locator('#clock-now')).toBeVisible();
    },
  },
];

describe('from 760 to 1440 px', () => {
  it.each([760, 1024, 1440])(
    'at %i px: no sideways scrolling, a one-line header from 1024, a narrow inspector, no serious axe-core violation',
    async (width) => {
      await adminApi(base, 'POST', `/api/workspaces/${ACME}/partners/${partner}/connect`, { user_id: ADMIN });
      const { context, page, watch } = await openPage(browser, base, { width, height: 900 });
      await withShots(context, `widths-${width}`, async () => {
        if (width < 900) {
          // Narrow: the inspector starts hidden and, shown, is a drawer, not 60 % of the page.
          await see(page.locator('#inspector')).not.toBeVisible();
          await page.click('#inspector-toggle');
          const w = await page.locator('#inspector').evaluate((el) => el.getBoundingClientRect().width);
          expect(w / width).toBeLessThan(0.6);
          await page.screenshot({ path: join(screenshotDir(), `ui-${width}-inspector.png`) });
          await page.click('#inspector-toggle');
        } else {
          const bar = await page.locator('.topbar').evaluate((el) => el.getBoundingClientRect().height);
          expect(bar).toBeLessThan(60);
        }
        // Cloud badges read the same way everywhere.
        expect(await page.locator(`${tile(partner)} .tile-foot .badge`).allTextContents()).toEqual([
          'AWS',
          'AZURE',
          'GCP',
        ]);
        for (const view of VIEWS) {
          await view.open(page);
          const [scroll, client] = await page.evaluate(() => [
            document.documentElement.scrollWidth,
            document.documentElement.clientWidth,
          ]);
          expect({ view: view.name, width, scroll }).toEqual({ view: view.name, width, scroll: client });
          await page.screenshot({ path: join(screenshotDir(), `ui-${width}-${view.name}.png`) });
          // axe where the layout differs (the drawer at 760, the full page from 1024); 1440 only adds room.
          if (width < 1440)
            expect({ view: view.name, width, problems: await axeProblems(page) }).toEqual({
              view: view.name,
              width,
              problems: [],
            });
          // Back to the gallery, no dialog open.
          await page.keyboard.press('Escape');
          await page.evaluate(() => (location.hash = '#/connect'));
          await see(page.locator('#view-connect')).toBeVisible();
        }
        expect(watch.errors).toEqual([]);
      });
    },
    60000,
  );
});
