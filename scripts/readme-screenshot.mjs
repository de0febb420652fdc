// Writes docs/screenshot.png: the gallery with the reference partner connected (P200 passed live) and
// its Connect call open in the inspector, at 1280x800 in Debian's Chromium. Run: npm run build && node scripts/readme-screenshot.mjs docs/screenshot.png
import { chromium } from 'playwright-core';
import { startServer } from '../dist/server/start.js';
const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  dataDir: null,
  credentials: { user: 'databricks', password: 'pcsim-reference-secret' },
  retryBackoffMs: [0, 0, 0],
});
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.url + '/');
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('.tile-main');
  await page.click('#connect-go');
  await page.waitForSelector('#connect-result');
  await page.click('#show-in-inspector');
  // The reference partner's core integration runs after Connect (the SQL engine loads on its first statement).
  await page.getByText('P200 passed').waitFor({ timeout: 30000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: process.argv[2] });
} finally {
  await browser.close();
  await server.close();
}
