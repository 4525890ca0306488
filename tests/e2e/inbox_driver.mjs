// Drives the dashboard's Feedback (inbox) and Campaigns pages in headless Chromium as two
// signed-in admins (the test's signed SSO tokens stand in for TeamsJS's getAuthToken):
// admin A triages an item (status, assignee, note) while admin B has it open; B's save gets the
// conflict, keeps what B typed, and B saves again; A replies to the worker; the anonymous item
// says why it cannot be replied to. Light and dark screenshots, axe-core on both pages.
//
//   node tests/e2e/inbox_driver.mjs '<json>'
//   json: {url, chromium, userDataDir, artifacts, axeUrl, tokens: {a, b}, itemId, anonymousId,
//          campaignId, noteA, noteB, reply, assignee}
//
// Prints one JSON line and exits 0 / 1.
import { TIMEOUT, axe as runAxe, runDriver } from './page_driver.mjs';
import path from 'node:path';

const job = JSON.parse(process.argv[2]);
const result = { ok: false, errors: [], axe: {}, steps: {} };

async function axe(page) {
  return runAxe(page, job.axeUrl);
}

async function signedIn(browser, token, theme, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  await context.addInitScript((t) => {  // what TeamsJS would hand the page inside Teams
    window.microsoftTeams = { authentication: { getAuthToken: async () => t } };
  }, token);
  const page = await context.newPage();
  page.on('pageerror', (error) => result.errors.push(`${name}: ${error.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') result.errors.push(`${name}: ${msg.text()}`); });
  await page.goto(`${job.url}?theme=${theme}`);
  await page.waitForSelector('body[data-ready="overview"]', { timeout: TIMEOUT });
  await page.getByRole('tab', { name: 'Feedback' }).click();
  await page.waitForSelector('body[data-ready="feedback"]', { timeout: TIMEOUT });
  return page;
}

async function openItem(page, id) {
  await page.click(`#inbox-items button[data-id="${id}"]`);
  await page.waitForSelector(`#inbox-item`, { timeout: TIMEOUT });
}

async function itemState(page) {
  return page.evaluate(() => {
    const item = document.getElementById('inbox-item');
    const texts = (selector) => [...item.querySelectorAll(selector)].map((n) => n.textContent);
    return { version: item.dataset.version, notice: texts('.note'), notes: texts('.notes .text'),
      audit: texts('#inbox-audit li'), text: item.querySelector('#inbox-text').textContent,
      note: item.querySelector('textarea[name=note]')?.value ?? null,
      replyBox: !!item.querySelector('textarea[name=reply]'), status: item.querySelector('select[name=status]').value,
      links: item.querySelectorAll('a').length, markup: item.querySelectorAll('script, img, b').length };
  });
}

async function savedVersion(page, version) {
  await page.waitForSelector(`#inbox-item[data-version="${version}"]`, { timeout: TIMEOUT });
}

await runDriver(job.chromium, result, async (browser) => {
  const a = await signedIn(browser, job.tokens.a, 'default', 'admin A');
  const b = await signedIn(browser, job.tokens.b, 'dark', 'admin B');
  result.steps.listed = await a.locator('#inbox-items tbody tr').count();
  await openItem(a, job.itemId);
  await openItem(b, job.itemId);  // B reads version 0 too

  await a.selectOption('#inbox-item select[name=status]', 'triaged');
  await a.selectOption('#inbox-item select[name=assignee]', job.assignee);
  await a.fill('#inbox-item textarea[name=note]', job.noteA);
  await a.click('#inbox-save');
  await savedVersion(a, '1');
  result.steps.triaged = await itemState(a);

  await b.fill('#inbox-item textarea[name=note]', job.noteB);
  await b.click('#inbox-save');
  await b.waitForSelector('#inbox-item .note.error', { timeout: TIMEOUT });
  result.steps.conflict = await itemState(b);  // the item as A left it, B's note still typed
  await b.click('#inbox-save');
  await savedVersion(b, '2');
  result.steps.retried = await itemState(b);

  await openItem(a, job.itemId);  // A's view was stale: opening it again shows B's note
  await savedVersion(a, '2');
  await a.fill('#inbox-item textarea[name=reply]', job.reply);
  await a.click('#inbox-reply');
  await savedVersion(a, '3');
  result.steps.replied = await itemState(a);
  result.axe['inbox-item'] = await axe(a);
  await a.screenshot({ path: path.join(job.artifacts, 'dashboard-inbox-default.png'), fullPage: true });
  await b.screenshot({ path: path.join(job.artifacts, 'dashboard-inbox-dark.png'), fullPage: true });
  result.axe['inbox-dark'] = await axe(b);

  await openItem(b, job.anonymousId);
  await b.waitForFunction((id) => document.querySelector('#inbox-item .meta')?.textContent.startsWith('Anonymous'), job.anonymousId, { timeout: TIMEOUT });
  result.steps.anonymous = await itemState(b);

  for (const [page, theme] of [[a, 'default'], [b, 'dark']]) {
    await page.getByRole('tab', { name: 'Campaigns' }).click();
    await page.waitForSelector('body[data-ready="campaigns"]', { timeout: TIMEOUT });
    await page.click(`main button[data-id="${job.campaignId}"]`);
    await page.waitForSelector('#campaign-results', { timeout: TIMEOUT });
    result.steps[`campaigns-${theme}`] = await page.evaluate(() => ({
      title: document.getElementById('campaign-title').textContent,
      rows: [...document.querySelectorAll('main table td')].map((n) => n.textContent),
      figures: [...document.querySelectorAll('#campaign-results .figure')].map((n) => n.innerText),
      markup: document.querySelectorAll('main a, main b, main script').length }));
    result.axe[`campaigns-${theme}`] = await axe(page);
    await page.screenshot({ path: path.join(job.artifacts, `dashboard-campaigns-${theme}.png`), fullPage: true });
  }
});
