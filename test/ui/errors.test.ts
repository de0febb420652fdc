/**
 * The error screens of the UI, and partner-controlled strings that try to inject script. The
 * server's reference partner answers every Connect with 500 (fault error-500); a second,
 * hostile partner (a tiny express app on a loopback port) has markup in its name, its
 * display_message, its connector names, and answers a javascript: redirect_uri.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../../src/server/start.js';
import { CREDS, adminApi, launchBrowser, openPage, see, startPcsim, withShots } from './support/ui.js';

const IMG = '<img src=x onerror=window.__pwned=1>';
const SCRIPT = '<script>window.__pwned=2</script>';
const EVIL_NAME = `Evil ${IMG}${SCRIPT} Partner`;
const EVIL_MESSAGE = `Your account is locked ${IMG} ${SCRIPT} call us`;
const EVIL_CONNECTOR = `Postgres ${IMG}`;

let server: RunningServer;
let browser: Browser;
let base: string;
let evil: Server;
/** What the hostile partner answers to Connect next. */
let evilMode: 'error-404' | 'javascript-redirect' = 'error-404';

function startEvilPartner(): Promise<Server> {
  const app = express();
  app.use(express.json());
  app.post('/connect', (_req, res) => {
    if (evilMode === 'error-404') {
      res.status(404).json({ error_reason: 'connection_not_found', display_message: EVIL_MESSAGE });
      return;
    }
    res.status(200).json({
      redirect_uri: 'javascript:window.__pwned=4',
      redirect_value: 'create_trial',
      user_status: 'new',
      account_status: 'new',
      configured_resources: true,
      connection_id: `conn-${IMG}`,
    });
  });
  app.get('/connectors', (_req, res) => {
    res.json({
      connectors: [{ identifier: `id-${SCRIPT}`, name: EVIL_CONNECTOR, type: 'source', description: SCRIPT }],
    });
  });
  const s = createServer(app);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

beforeAll(async () => {
  // A short back-off (not Databricks' 1 s, 2 s, 4 s) keeps the progress screen up long enough to read.
  server = await startPcsim({ reference: { faults: ['error-500'] }, retryBackoffMs: [300, 300, 300] });
  base = server.url;
  evil = await startEvilPartner();
  const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  const reg = await adminApi(base, 'POST', '/api/partners', {
    id: 'evil',
    credentials: CREDS,
    config: {
      api_version: '2.1.1',
      name: EVIL_NAME,
      description_blurb: `Blurb ${SCRIPT}`,
      category: 'INGEST',
      base_url: evilUrl,
      endpoints: { connect_path: '/connect', get_connectors_path: '/connectors' },
      sign_up_page: 'javascript:window.__pwned=5',
      privacy_policy: `${evilUrl}/privacy`,
      terms_of_service: `${evilUrl}/tos`,
      logo_file: 'logo.png',
      icon_file: 'icon.png',
      resources_to_provision: [{ resource_type: 'PAT' }],
      supported_clouds: ['aws', 'azure', 'gcp'],
      hostnames: ['127.0.0.1'],
      new_user_action: 'auto_add',
    },
  });
  expect(reg.status).toBe(201);
  browser = await launchBrowser();
}, 30000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise<void>((resolve) => (evil ? evil.close(() => resolve()) : resolve()));
});

const tileMain = (id: string) => `.tile[data-partner="${id}"] .tile-main`;
const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);

describe('error screens', () => {
  it('500 after the retries: the screen says what happened, what to do, the partner message and where to sign in', async () => {
    const ref = server.reference!;
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'error-500', async () => {
      await page.click(tileMain(ref.id));
      await page.click('#connect-go');
      // While Databricks retries, the progress screen shows the call, the elapsed time and the back-off.
      const progress = page.locator('#connect-progress');
      await see(progress).toContainText('Databricks retries 3 times, waiting 1 s, 2 s and 4 s');
      await see(progress).toContainText('/reference-partner/connect');
      await see(progress.locator('#connect-elapsed')).toContainText(' s');
      const result = page.locator('#connect-result');
      await see(result).toHaveAttribute('data-kind', 'general_error');
      await see(page.locator('#error-title')).toHaveText('The partner failed to set up the connection');
      await see(page.locator('#error-action')).toContainText('sign in on the partner site');
      await see(page.locator('#error-message')).toContainText('fault error-500');
      await see(result).toContainText('Databricks keeps the resources');
      await see(page.locator('#dlg')).toContainText('Databricks tried 4 times');
      const signIn = result.getByRole('link', { name: /Sign in to/ });
      await see(signIn).toHaveAttribute('href', ref.config.sign_up_page!);
      await see(signIn).toHaveAttribute('rel', 'noopener noreferrer');
      // No connection was saved: the tile has no check mark.
      await page.keyboard.press('Escape');
      await see(page.locator(`.tile[data-partner="${ref.id}"] .check`)).toHaveCount(0);
      const row = page.locator('#journal .ex').first();
      await see(row).toContainText('4 attempts');
      await row.locator('.ex-toggle').click();
      await see(row.locator('table.attempts tbody tr')).toHaveCount(4);
      expect(watch.errors).toEqual([]);
    });
  });
});

describe('partner-controlled strings cannot inject script', () => {
  it('name, display_message, connector names and a javascript: redirect_uri are shown as text and never run', async () => {
    const { context, page, watch } = await openPage(browser, base);
    await withShots(context, 'injection', async () => {
      const tile = page.locator('.tile[data-partner="evil"]');
      await see(tile.locator('.tile-name')).toHaveText(EVIL_NAME);
      await see(tile.locator('img')).toHaveCount(0);

      // 404 connection_not_found with markup in display_message.
      evilMode = 'error-404';
      await page.click(tileMain('evil'));
      await see(page.locator('#dlg-title')).toHaveText(EVIL_NAME);
      await page.click('#connect-go');
      await see(page.locator('#connect-result')).toHaveAttribute('data-kind', 'connection_not_found');
      await see(page.locator('#error-message')).toHaveText(EVIL_MESSAGE);
      await see(page.locator('#error-action')).toContainText('Delete the connection in Databricks');
      // sign_up_page is javascript:, so no sign-in link is offered.
      await see(page.locator('#connect-result a')).toHaveCount(0);

      // A javascript: redirect_uri is refused by the contract check and never becomes a link.
      evilMode = 'javascript-redirect';
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.click('#connect-go');
      await see(page.locator('#connect-result')).toHaveAttribute('data-kind', 'invalid_response');
      await see(page.locator('#dlg')).toContainText('javascript:');
      await see(page.locator('#dlg a[href^="javascript"]')).toHaveCount(0);
      await page.keyboard.press('Escape');

      // The connector list, and the inspector's pretty bodies, show markup as text too.
      await page.click('#tile-side-evil');
      await page.click('[data-hook=connectors]');
      await see(page.locator('#hook-out table.connectors')).toContainText(EVIL_CONNECTOR);
      await page.keyboard.press('Escape');
      for (const row of await page.locator('#journal .ex').all()) await row.locator('.ex-toggle').click();
      await see(page.locator('#journal')).toContainText(EVIL_MESSAGE.replace(/"/g, '\\"'));

      expect(await page.locator('main img, #dlg img, #inspector img').count()).toBe(0);
      expect(await page.locator('body script').count()).toBe(0);
      expect(await pwned(page)).toBeUndefined();
      expect(watch.dialogs).toEqual([]);
      expect(watch.errors).toEqual([]);
    });
  });
});
