/**
 * The header's workspace picker on a large state: it lists the first 1000 workspaces (5 pages of
 * the admin API, not all of them at every change), says that more exist, and keeps a selected
 * workspace that lies beyond them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../../src/server/start.js';
import { launchBrowser, openPage, see, startPcsim, withShots } from './support/ui.js';

let server: RunningServer;
let browser: Browser;
const BULK = 1200;
const last = String(5000000000000000000n + BigInt(BULK - 1));

beforeAll(async () => {
  server = await startPcsim();
  await server.store.update((s) => {
    const w0 = s.workspaces[0]!;
    for (let i = 0; i < BULK; i++)
      s.workspaces.push({ ...w0, id: String(5000000000000000000n + BigInt(i)), name: `bulk-${i}` });
  });
  browser = await launchBrowser();
}, 30000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the workspace picker on a large state', () => {
  it('lists the first 1000 in 5 pages, says more exist, and keeps a selected workspace beyond them', async () => {
    const { context, page, watch } = await openPage(browser, server.url);
    await withShots(context, 'picker', async () => {
      const options = page.locator('#ws-select option');
      await see(options.last()).toContainText('… more: the first 1000 workspaces are listed');
      expect(await options.count()).toBe(1001);
      expect(await page.locator('#ws-select option', { hasText: `bulk-${BULK - 1}` }).count()).toBe(0);

      // A workspace beyond the listed ones, selected (as after creating it): it stays selected.
      const pages: string[] = [];
      page.on('request', (r) => void (r.url().includes('/api/workspaces?') && pages.push(r.url())));
      await page.evaluate((id) => localStorage.setItem('pcsim.ws', id), last);
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await see(page.locator('#ws-meta')).toContainText(last);
      await see(page.locator('#ws-select option:checked')).toHaveText(`bulk-${BULK - 1}`);
      expect(pages.length).toBe(5);
      expect(watch.errors).toEqual([]);
    });
  });
});
