// Opens the dashboard tab in headless Chromium, as served by the test's own app: waits for the
// overview with its charts, saves light and dark screenshots, runs axe-core in the page (served
// by the app itself, so the page's CSP stays as it is), and reads the tables back.
//
//   node tests/e2e/dashboard_driver.mjs '<json>'
//   json: {url, query, chromium, userDataDir, artifacts, axeUrl, tabs: [{label, page}], readyOnly}
//
// Prints one JSON line {ok, readyMs, charts, figures, axe, tables, csp, errors} and exits 0 / 1.
import { chromium } from 'playwright-core';
import path from 'node:path';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT = 30_000;
const job = JSON.parse(process.argv[2]);
const result = { ok: false, errors: [], axe: {}, tables: {}, readyMs: {} };

async function ready(page, name) {
  await page.waitForSelector(`body[data-ready="${name}"]`, { timeout: TIMEOUT });
}

async function axe(page) {
  await page.addScriptTag({ url: job.axeUrl });
  return page.evaluate(async () => {
    const found = await window.axe.run(document, { resultTypes: ['violations'] });
    return found.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
      target: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
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

const browser = await chromium.launch({ executablePath: job.chromium, args: FLAGS });
try {
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
  result.ok = true;
} catch (error) {
  result.error = String(error && error.stack || error);
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
