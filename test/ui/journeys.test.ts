/**
 * The web UI of `pcsim serve` driven in Debian's headless Chromium through the journeys a
 * partner engineer walks by hand: P100 (connect, launch), P300 (re-open: Launch signs in), P400
 * (delete in Databricks, re-create), P600 (a second workspace connects separately), plus the
 * inspector, the journeys page and the keyboard. Each test starts from the seeded state.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { readFile } from 'node:fs/promises';
import { formatProblem, parseScenario } from '../../src/scenarios/load.js';
import type { RunningServer } from '../../src/server/start.js';
import { ACME, ADMIN, DEMO, adminApi, launchBrowser, openPage, see, startPcsim, withShots } from './support/ui.js';

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

const connectPath = (ws: string) => `/api/workspaces/${ws}/partners/${partner}/connect`;
const tile = (id: string) => `.tile[data-partner="${id}"]`;

describe('Partner Connect page', () => {
  it('P100: a new user connects in a new workspace, and Launch opens the redirect_uri in a new tab', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'P100', async () => {
      await see(page.locator('#ws-meta')).toContainText(ACME);
      await see(page.locator(tile(partner)).locator('.check')).toHaveCount(0);
      await page.click(`${tile(partner)} .tile-main`);
      // The dialog says what Databricks will create before anything happens.
      await see(page.locator('#dlg')).toContainText('A SQL warehouse');
      await see(page.locator('#connect-catalog')).toHaveValue('main');
      await page.click('#connect-go');
      const result = page.locator('#connect-result');
      await see(result).toHaveAttribute('data-outcome', 'connected');
      await see(result).toContainText('create_trial');

      const launch = page.locator('#launch');
      await see(launch).toHaveAttribute('target', '_blank');
      await see(launch).toHaveAttribute('rel', 'noopener noreferrer');
      const href = await launch.getAttribute('href');
      expect(href).toContain(`/reference-partner/launch?o=${ACME}`);
      const [tab] = await Promise.all([context.waitForEvent('page'), launch.click()]);
      await tab.waitForLoadState('domcontentloaded');
      expect(tab.url()).toBe(href);
      await tab.close();

      await page.keyboard.press('Escape');
      await see(page.locator('#dlg')).not.toHaveAttribute('open', '');
      await see(page.locator(tile(partner)).locator('.check')).toHaveText('✓ Connected');

      // The inspector got the call live, with the int64 ids digit for digit.
      const row = page.locator('#journal .ex').first();
      await see(row).toContainText('connect (new)');
      await see(row).toContainText('200');
      await row.locator('.ex-toggle').click();
      await see(row.locator('.ex-detail')).toContainText(`"databricks_organization_id": ${ACME},`);
      await see(row.locator('.ex-detail')).toContainText(`"databricks_user_id": ${ADMIN},`);
      await see(row.locator('.ex-detail')).toContainText('***redacted***');
      await row.getByRole('button', { name: 'Copy as curl' }).click();
      const curl = row.locator('pre.curl');
      await see(curl).toContainText(`curl -X POST '${base}/reference-partner/connect'`);
      await see(curl).toContainText("-H 'Authorization: Basic ***redacted***'");
      await see(curl).toContainText(`"workspace_id":${ACME}`);
      expect(watch.errors).toEqual([]);
    });
  });

  it('P300: the creator re-opens the connected tile; Launch signs in and opens the partner again', async () => {
    const made = await adminApi(base, 'POST', connectPath(ACME), { user_id: ADMIN });
    const connectionId = (made.body.connection as { connection_id: string }).connection_id;
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'P300', async () => {
      await page.click(`${tile(partner)} .tile-main`);
      await see(page.locator('#conn-id')).toHaveText(connectionId);
      await see(page.locator('#dlg')).toContainText('***redacted***');
      await see(page.locator('#dlg')).toContainText('Ada Admin');
      // One click: the sign-in call, then the partner's page in a new tab.
      const [tab] = await Promise.all([context.waitForEvent('page'), page.click('#launch-signin')]);
      const result = page.locator('#connect-result');
      await see(result).toHaveAttribute('data-outcome', 'signed_in');
      await see(result).toContainText('sign_in');
      const href = await page.locator('#launch').getAttribute('href');
      await tab.waitForURL(href!);
      expect(tab.url()).toBe(href);
      await tab.close();
      await see(page.locator('#journal .ex').first()).toContainText('connect (sign-in)');
      expect(watch.errors).toEqual([]);
    });
  });

  it('P400: the connection is deleted in Databricks only, then created again with a new id', async () => {
    const made = await adminApi(base, 'POST', connectPath(ACME), { user_id: ADMIN });
    const firstId = (made.body.connection as { connection_id: string }).connection_id;
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'P400', async () => {
      await page.click(`${tile(partner)} .tile-main`);
      await page.click('#delete-connection');
      // Databricks forgets the connection without telling the partner: the set-up of P400.
      await page.uncheck('#notify-partner');
      await page.click('#confirm-delete');
      await see(page.locator('#delete-result')).toContainText('The partner was not called');
      await see(page.locator(tile(partner)).locator('.check')).toHaveCount(0);
      await page.click('#reconnect');
      await page.click('#connect-go');
      const result = page.locator('#connect-result');
      await see(result).toHaveAttribute('data-outcome', 'connected');
      const conn = await adminApi(base, 'GET', `/api/workspaces/${ACME}/partners/${partner}/connection`);
      expect(conn.status).toBe(200);
      expect(conn.body.connection_id).not.toBe(firstId);
      await see(result).toContainText(String(conn.body.connection_id));
      await page.keyboard.press('Escape');
      await see(page.locator(tile(partner)).locator('.check')).toHaveCount(1);
      expect(watch.errors).toEqual([]);
    });
  });

  it('P600: one user connects in two workspaces; each holds its own connection', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'P600', async () => {
      await page.click(`${tile(partner)} .tile-main`);
      await page.click('#connect-go');
      await see(page.locator('#connect-result')).toHaveAttribute('data-outcome', 'connected');
      await page.keyboard.press('Escape');

      await page.selectOption('#ws-select', DEMO);
      await see(page.locator('#ws-meta')).toContainText(DEMO);
      await see(page.locator('#ws-meta')).toContainText('demo');
      await see(page.locator(tile(partner)).locator('.check')).toHaveCount(0);
      await page.click(`${tile(partner)} .tile-main`);
      await see(page.locator('#dlg')).toContainText('demo: true');
      await page.click('#connect-go');
      await see(page.locator('#connect-result')).toHaveAttribute('data-outcome', 'connected');
      await page.keyboard.press('Escape');
      await see(page.locator(tile(partner)).locator('.check')).toHaveCount(1);

      const a = await adminApi(base, 'GET', `/api/workspaces/${ACME}/partners/${partner}/connection`);
      const b = await adminApi(base, 'GET', `/api/workspaces/${DEMO}/partners/${partner}/connection`);
      expect(a.body.connection_id).toEqual(expect.any(String));
      expect(b.body.connection_id).not.toBe(a.body.connection_id);

      // Each workspace signs in to its own connection.
      await page.click(`${tile(partner)} .tile-main`);
      await see(page.locator('#conn-id')).toHaveText(String(b.body.connection_id));
      await page.keyboard.press('Escape');
      await page.selectOption('#ws-select', ACME);
      await page.click(`${tile(partner)} .tile-main`);
      await see(page.locator('#conn-id')).toHaveText(String(a.body.connection_id));
      const [tab] = await Promise.all([context.waitForEvent('page'), page.click('#launch-signin')]);
      await see(page.locator('#connect-result')).toHaveAttribute('data-outcome', 'signed_in');
      await tab.close();
      expect(watch.errors).toEqual([]);
    });
  });

  it('creates a workspace and a user inline, and the keyboard alone reaches Connect; Escape closes the dialog', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'inline-create-and-keyboard', async () => {
      await page.click('#ws-new');
      await page.fill('#dlg-form input[name=name]', 'Keyboard QA');
      await page.selectOption('#dlg-form select[name=cloud]', 'gcp');
      await page.click('#dlg-form button[type=submit]');
      await see(page.locator('#ws-select option:checked')).toHaveText('Keyboard QA');
      await see(page.locator('#ws-meta')).toContainText('GCP');
      await see(page.locator('#user-select option')).toHaveText(['no user: add one →']);

      await page.click('#user-new');
      await page.fill('#dlg-form input[name=email]', 'kb@qa.databricks-test.com');
      await page.fill('#dlg-form input[name=first_name]', 'Kim');
      await page.click('#dlg-form button[type=submit]');
      await see(page.locator('#user-select option:checked')).toContainText('kb@qa.databricks-test.com');
      await see(page.locator('#user-meta')).toContainText('non-admin');

      // Keyboard: focus the tile, Enter opens the dialog, Escape closes it and focus returns.
      const main = page.locator(`${tile(partner)} .tile-main`);
      await main.focus();
      await page.keyboard.press('Enter');
      await see(page.locator('#dlg')).toHaveAttribute('open', '');
      await see(page.locator('#dlg')).toContainText('is not a workspace admin');
      await see(page.locator('#connect-go')).toBeFocused();
      await page.keyboard.press('Escape');
      await see(page.locator('#dlg')).not.toHaveAttribute('open', '');
      await see(main).toBeFocused();
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await see(page.locator('#connect-result')).toHaveAttribute('data-outcome', 'connected');
      expect(watch.errors).toEqual([]);
    });
  });

  it('partner-side panel: test connection and connectors, with their verdicts', async () => {
    await adminApi(base, 'POST', connectPath(ACME), { user_id: ADMIN });
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'partner-side', async () => {
      await page.click(`${tile(partner)} .tile-main`);
      await page.click('[data-hook=test_connection]');
      await see(page.locator('#hook-out')).toContainText('follows the contract');
      await see(page.locator('#hook-out')).toContainText('test_results');
      await page.click('[data-hook=connectors]');
      await see(page.locator('#hook-out table.connectors tbody tr').first()).toBeVisible();
      await see(page.locator('#journal .ex').first()).toContainText('connectors');
      expect(watch.errors).toEqual([]);
    });
  });
});

describe('Journeys page', () => {
  it("saves this workspace's calls as a scenario file that replays them", async () => {
    // The partner knows Ada before the recorded clicks (as after any earlier test): the recording says so.
    const earlier = (await adminApi(base, 'POST', '/api/workspaces', { name: 'earlier' })).body.id as string;
    const ada = (
      await adminApi(base, 'POST', `/api/workspaces/${earlier}/users`, { email: 'admin@acme.databricks-test.com' })
    ).body.id as string;
    await adminApi(base, 'POST', `/api/workspaces/${earlier}/partners/${partner}/connect`, { user_id: ada });
    await adminApi(base, 'POST', connectPath(ACME), { user_id: ADMIN });
    await adminApi(base, 'POST', connectPath(ACME), { user_id: ADMIN });
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'save-scenario', async () => {
      await see(page.locator('#journal .ex')).toHaveCount(3);
      // Every call shown: both workspaces, Ada known from the first one. (Whether the partner knew her even
      // before, from earlier tests of this file, decides the recorder's extra first step.)
      const [all] = await Promise.all([page.waitForEvent('download'), page.click('#journal-record')]);
      expect(all.suggestedFilename()).toBe('pcsim-journal.yaml');
      const everything = parseScenario(await readFile((await all.path())!, 'utf8'), 'pcsim-journal.yaml');
      if (!everything.ok) throw new Error(everything.problems.map(formatProblem).join('\n'));
      const steps = everything.scenario.steps.map((st) =>
        st.connect ? `connect in ${st.connect.workspace}` : st.signin ? `signin in ${st.signin.workspace}` : '?',
      );
      expect(steps.filter((x) => x !== 'connect in before1')).toEqual([
        'connect in ws1',
        'connect in ws2',
        'signin in ws2',
      ]);
      expect(everything.scenario.workspaces.map((w) => w.name).sort()).toEqual(
        steps.length === 4 ? ['before1', 'ws1', 'ws2'] : ['ws1', 'ws2'],
      );
      // This workspace's calls only: the partner knew Ada before them, so the file says so.
      await page.check('#journal-only-ws');
      await see(page.locator('#journal .ex')).toHaveCount(2);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#journal-record')]);
      expect(download.suggestedFilename()).toBe('acme-production.yaml');
      const text = await readFile((await download.path())!, 'utf8');
      const parsed = parseScenario(text, 'acme-production.yaml');
      if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join('\n'));
      expect(
        parsed.scenario.steps.map((st) =>
          st.connect ? `connect in ${st.connect.workspace}` : st.signin ? `signin in ${st.signin.workspace}` : '?',
        ),
      ).toEqual(['connect in before1', 'connect in ws1', 'signin in ws1']);
      await see(page.locator('#notice')).toContainText(
        'pcsim run --partner partner.json --scenario acme-production.yaml',
      );

      // ...and the Journeys page replays it, with the verdicts of pcsim run.
      await page.click('#tab-journeys');
      await page.setInputFiles('#scenario-files', {
        name: 'acme-production.yaml',
        mimeType: 'application/yaml',
        buffer: Buffer.from(text),
      });
      await see(page.locator('#run-summary'), 20000).toContainText('1 passed');
      await see(page.locator(`tr[data-journey="${parsed.scenario.name}"]`)).toHaveAttribute('data-status', 'passed');

      // A broken file is refused whole, each problem with its file, line and path.
      await page.setInputFiles('#scenario-files', [
        {
          name: 'broken.yaml',
          mimeType: 'application/yaml',
          buffer: Buffer.from(
            'name: broken\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@${domain}", member_of: [w] }]\nsteps:\n  - connect: { workspace: w, user: nobody }\n',
          ),
        },
      ]);
      const problems = page.locator('#scenario-problems');
      await see(problems).toContainText('1 problem; nothing was sent');
      await see(problems).toContainText('broken.yaml:5:');
      await see(problems).toContainText('steps[0].connect.user');
      // The refusal (400) is the browser's only complaint.
      expect(watch.errors).toEqual([
        'console: Failed to load resource: the server responded with a status of 400 (Bad Request)',
      ]);
    });
  });

  it('runs chosen journeys with the verdicts of pcsim run, and saves checklist ticks', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'journeys', async () => {
      await page.click('#tab-journeys');
      await page.click('details.picks summary');
      const picks = page.locator('.journey-picks input:not([disabled])');
      const n = await picks.count();
      for (let i = 0; i < n; i++) await picks.nth(i).uncheck();
      await page.check('.journey-picks input[value=P100]');
      await page.check('.journey-picks input[value=AUTH]');
      await page.click('#run-selected');
      await see(page.locator('#run-summary'), 20000).toContainText('2 passed');
      await see(page.locator('tr[data-journey=P100]')).toHaveAttribute('data-status', 'passed');
      await see(page.locator('tr[data-journey=AUTH]')).toHaveAttribute('data-status', 'passed');
      // The run's report, as pcsim run writes it.
      const [report] = await Promise.all([page.waitForEvent('download'), page.click('#run-report-html-download')]);
      expect(report.suggestedFilename()).toMatch(/^pcsim-report-[\w-]+\.html$/);
      expect(await readFile((await report.path())!, 'utf8')).toContain('2 passed');

      const first = page.locator('.check-item').first();
      const journey = await first.getAttribute('data-journey');
      await first.locator('textarea').fill('walked by hand in the UI test');
      await first.locator('input[type=checkbox]').check();
      await see(first).toContainText('saved');
      const list = await adminApi(base, 'GET', `/api/partners/${partner}/checklist`);
      const item = (list.body.items as { journey_id: string; done: boolean; note?: string }[]).find(
        (i) => i.journey_id === journey,
      );
      expect(item).toMatchObject({ done: true, note: 'walked by hand in the UI test' });
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await see(page.locator(`#tick-${journey}`)).toBeChecked();
      expect(watch.errors).toEqual([]);
    });
  });

  it('stops a run: what did not run is skipped, saying the run was stopped', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'stop-run', async () => {
      await page.click('#tab-journeys');
      const slow =
        'name: slow\nworkspaces: [{ name: w }]\nusers: [{ name: u, email: "u@${domain}", member_of: [w] }]\nsteps:\n  - connect: { workspace: w, user: u }\n  - wait: { ms: 600000 }\n';
      await page.setInputFiles('#scenario-files', {
        name: 'slow.yaml',
        mimeType: 'application/yaml',
        buffer: Buffer.from(slow),
      });
      await see(page.locator('.run-running')).toContainText('Running slow');
      await page.click('#run-stop');
      await see(page.locator('#run-summary'), 20000).toContainText('Stopped after');
      await see(page.locator('tr[data-journey=slow]')).toHaveAttribute('data-status', 'skipped');
      await see(page.locator('tr[data-journey=slow]')).toContainText(
        'stopped: the run was stopped before "#2 wait 600000 ms" (1 step done)',
      );
      expect(watch.errors).toEqual([]);
    });
  });

  it("says which journeys a partner's config leaves to a human, and what to do", async () => {
    const ref = await adminApi(base, 'GET', `/api/partners/${partner}`);
    await adminApi(base, 'POST', '/api/partners', {
      id: 'hand-signup',
      config: { ...(ref.body.config as Record<string, unknown>), name: 'Hand Signup', require_manual_signup: true },
    });
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'journeys-manual', async () => {
      await page.click('#tab-journeys');
      await page.selectOption('#journeys-partner', 'hand-signup');
      await page.click('details.picks summary');
      const p301 = page.locator('.journey-picks li.pick-manual', { hasText: 'P301' });
      await see(p301).toContainText('manual for this config: new_user_action is auto_add with require_manual_signup');
      await see(p301).toContainText('Sign up u2, then sign in as u2.');
      expect(await p301.locator('input').isDisabled()).toBe(true);
      expect(watch.errors).toEqual([]);
    });
  });
});
