// Shared by the dashboard drivers (dashboard_driver.mjs, inbox_driver.mjs): headless Chromium
// flags, axe-core run inside the page (the script served by the app itself, so the page's CSP
// stays as it is), and the run wrapper that prints one JSON line and exits 0 / 1.
import { chromium } from 'playwright-core';

export const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const TIMEOUT = 30_000;

export async function axe(page, axeUrl) {
  await page.addScriptTag({ url: axeUrl });
  return page.evaluate(async () => {
    const found = await window.axe.run(document, { resultTypes: ['violations'] });
    return found.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
      target: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
}

// drive(browser) fills `result`; result.ok is set when it returns without throwing.
export async function runDriver(executablePath, result, drive) {
  const browser = await chromium.launch({ executablePath, args: FLAGS });
  try {
    await drive(browser);
    result.ok = true;
  } catch (error) {
    result.error = String(error && error.stack || error);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result));
  process.exit(result.ok ? 0 : 1);
}
