/**
 * What the UI shows while it happens, from the server-sent events: each attempt of a Connect
 * while Databricks retries (the partner answers 500 twice: fault flaky-500), and the partner's
 * calls into the workspace with the live P200 verdict in the connected tile's details. The
 * reference partner's own core integration is off (fault no-core-integration): the test plays it
 * itself with the PAT it knows (PAT_TOKEN, as the official suite sets it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../src/server/start.js';
import { join } from 'node:path';
import { ACME, adminApi, launchBrowser, openPage, screenshotDir, see, startPcsim, withShots } from './support/ui.js';

const PAT = 'dapi0123456789abcdef0123456789live';
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  // A short back-off (not Databricks' 1 s, 2 s, 4 s) so the retries are quick yet visible.
  server = await startPcsim({
    patToken: PAT,
    retryBackoffMs: [400, 400, 400],
    reference: { faults: ['flaky-500', 'no-core-integration'] },
  });
  browser = await launchBrowser();
}, 30000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('live progress', () => {
  it('shows each attempt while Databricks retries, then the partner calls into the workspace with the P200 verdict', async () => {
    const partner = server.reference!.id;
    const { context, page, watch } = await openPage(browser, server.url);
    await withShots(context, 'live', async () => {
      await page.click(`.tile[data-partner="${partner}"] .tile-main`);
      await page.click('#connect-go');
      const attempts = page.locator('#connect-attempts li');
      await see(attempts.first()).toContainText('Attempt 1 of 4: HTTP 500');
      await see(attempts.first()).toContainText('Databricks retries in 0.4 s');
      await see(attempts.nth(1)).toContainText('Attempt 2 of 4: HTTP 500');
      await see(page.locator('#connect-result')).toHaveAttribute('data-outcome', 'connected');
      await see(page.locator('#dlg')).toContainText('Databricks tried 3 times');
      await page.keyboard.press('Escape');

      // The connected tile: nothing done in the workspace yet.
      await page.click(`.tile[data-partner="${partner}"] .tile-main`);
      const core = page.locator('#core-integration');
      await see(core.locator('[data-journey="P200"]')).toContainText('P200 pending');
      await see(core).toContainText('has not called the workspace yet');

      // The partner uses the PAT it received: SCIM Me, then a table on the warehouse (an ingestion partner writes). The dialog follows live.
      const conn = (await adminApi(server.url, 'GET', `/api/workspaces/${ACME}/partners/${partner}/connection`))
        .body as { resources: { warehouse?: { id: string } } };
      const auth = { authorization: `Bearer ${PAT}` };
      expect((await fetch(`${server.url}/api/2.0/preview/scim/v2/Me`, { headers: auth })).status).toBe(200);
      await see(core.locator('.activity li').first()).toContainText('GET /api/2.0/preview/scim/v2/Me');
      const sql = await fetch(`${server.url}/api/2.0/sql/statements`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          warehouse_id: conn.resources.warehouse!.id,
          statement: 'CREATE TABLE default.ui_live (id BIGINT, name STRING)',
          wait_timeout: '10s',
        }),
      });
      expect(sql.status).toBe(200);
      await see(core.locator('[data-journey="P200"]')).toContainText('P200 passed');
      await see(core.locator('.activity li').first()).toContainText('POST /api/2.0/sql/statements');
      await see(core).not.toContainText(PAT);
      await page.screenshot({ path: join(screenshotDir(), 'live-core.png') });
      expect(watch.errors).toEqual([]);
    });
  }, 60000);
});
