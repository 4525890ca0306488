// Opens the dashboard tab in headless Chromium, as served by the test's own app: waits for the
// overview with its charts, saves light and dark screenshots, runs axe-core in the page (served
// by the app itself, so the page's CSP stays as it is), and reads the tables back.
//
//   node tests/e2e/dashboard_driver.mjs '<json>'
//   json: {url, query, chromium, userDataDir, artifacts, axeUrl, tabs: [{label, page}], readyOnly}
//
// Prints one JSON line {ok, readyMs, charts, figures, axe, tables, csp, errors} and exits 0 / 1.
import { TIMEOUT, axe as runAxe, runDriver } from './page_driver.mjs';
import path from 'node:path';

const job = JSON.parse(process.argv[2]);
const result = { ok: false, errors: [], axe: {}, tables: {}, readyMs: {} };

async function ready(page, name) {
  await page.waitForSelector(`body[data-ready="${name}"]`, { timeout: TIMEOUT });
}

async function axe(page) {
  return runAxe(page, job.axeUrl);
}

async function open(context, theme) {
  const page = await context.newPage();
  page.on('pageerror', (error) => result.errors.push(`${theme}: ${error.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') result.errors.push(`${theme}: ${msg.text()}`); });
  const response = await page.goto(`${job.url}?theme=${theme}&${job.query || ''}`);
  result.csp = response.headers()['content-security-policy'];
  await ready(page, 'overview');
  result.readyMs[theme] = await page.evaluate(() => window.dashboardReadyMs);
  return page;
}

await runDriver(job.chromium, result, async (browser) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  for (const theme of job.readyOnly ? ['default'] : ['default', 'dark', 'contrast']) {
    const page = await open(context, theme);
    if (job.readyOnly) { await page.close(); continue; }  // the benchmark: time to ready only
    result.charts = await page.locator('canvas').count();
    result.figures = await page.locator('.figure').allInnerTexts();
    result.theme = result.theme || {};
    result.theme[theme] = await page.evaluate(() => [getComputedStyle(document.body).color,
      getComputedStyle(document.body).backgroundColor]);
    await page.screenshot({ path: path.join(job.artifacts, `dashboard-${theme}.png`), fullPage: true });
    result.axe[theme] = await axe(page);
    if (theme === 'default') {
      for (const tab of job.tabs) {
        await page.getByRole('tab', { name: tab.label }).click();
        await ready(page, tab.page);
        result.tables[tab.page] = await page.locator('main table td').allTextContents();
        result.links = (result.links || 0) + await page.locator('main a').count();
        result.images = (result.images || 0) + await page.locator('main img').count();
        result.axe[tab.page] = await axe(page);
        await page.screenshot({ path: path.join(job.artifacts, `dashboard-${tab.page}.png`), fullPage: true });
      }
    }
    await page.close();
  }
});
