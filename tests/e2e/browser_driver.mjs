// Drives the Microsoft 365 Agents Playground web UI in headless Chromium, as a Teams user would:
// open the chat, see the welcome card, click its start button, start a module, go one step on,
// go back to the menu; then, per language, choose it on the language card and show the menu and
// the module's first step (which has a picture the bot serves). Saves welcome.png, step.png,
// menu.png and step-<lang>.png / menu-<lang>.png; every expected text comes from the caller
// (tests/e2e/test_browser.py reads it from content/).
//
//   node tests/e2e/browser_driver.mjs '<json>'   json: {url, chromium, userDataDir, artifacts, expect}
//
// Prints one JSON line {ok, seen: [...]} (or {ok: false, error}) and exits 0 / 1.
import { chromium } from 'playwright-core';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TIMEOUT = 30_000;

const job = JSON.parse(process.argv[2]);
const want = job.expect;
const seen = [];
const shot = name => path.join(job.artifacts, name);

// The newest rendered Adaptive Card that contains `text`.
function cardWith(page, text) {
  return page.locator('.ac-adaptiveCard', { hasText: text }).last();
}

// A module's row in the menu: the innermost container holding both its title and buttons
// (the renderer draws a ColumnSet as nested .ac-container elements).
function rowOf(page, card, title) {
  return card.locator('.ac-container')
    .filter({ has: page.getByText(title, { exact: true }) })
    .filter({ has: page.getByRole('button') })
    .last();
}

async function visible(locator, label) {
  await locator.waitFor({ state: 'visible', timeout: TIMEOUT });
  await locator.scrollIntoViewIfNeeded();
  seen.push(label);
}

async function cardCount(page, text) {
  return page.locator('.ac-adaptiveCard', { hasText: text }).count();
}

// Wait until one more card with `text` than `before` is rendered; returns the newest.
async function newCard(page, text, before) {
  await page.waitForFunction(
    ([t, n]) => [...document.querySelectorAll('.ac-adaptiveCard')].filter(c => c.innerText.includes(t)).length > n,
    [text, before], { timeout: TIMEOUT });
  return cardWith(page, text);
}

// The card's picture, once the browser has loaded it from the bot.
async function pictureOf(card, alt) {
  const img = card.locator(`img[alt="${alt.replace(/"/g, '\\"')}"]`).first();
  await img.waitFor({ state: 'visible', timeout: TIMEOUT });
  await img.evaluate(el => el.complete && el.naturalWidth > 0 ? null
    : new Promise((ok, fail) => { el.onload = ok; el.onerror = () => fail(new Error(`picture ${el.src} did not load`)); }));
  await img.scrollIntoViewIfNeeded();
  return img;
}

// The menu and the module's first step, screenshotted, in one language.
async function shootLanguage(page, menu, lang) {
  // Continue resumes where the worker is: step 2 the first time (then Back), else step 1.
  const row = rowOf(page, menu, lang.moduleTitle);
  const [firsts, seconds] = [await cardCount(page, lang.stepPositions[0]), await cardCount(page, lang.stepPositions[1])];
  await row.getByRole('button', { name: lang.continueLabel, exact: true }).click();
  await page.waitForFunction(
    ([a, b, n1, n2]) => {
      const cards = [...document.querySelectorAll('.ac-adaptiveCard')].map(c => c.innerText);
      return cards.filter(t => t.includes(a)).length > n1 || cards.filter(t => t.includes(b)).length > n2;
    }, [lang.stepPositions[0], lang.stepPositions[1], firsts, seconds], { timeout: TIMEOUT });
  let first;
  if (await cardCount(page, lang.stepPositions[1]) > seconds) {
    const again = await cardCount(page, lang.stepPositions[0]);
    await cardWith(page, lang.stepPositions[1]).getByRole('button', { name: lang.backLabel, exact: true }).click();
    first = await newCard(page, lang.stepPositions[0], again);
  } else {
    first = cardWith(page, lang.stepPositions[0]);
  }
  await pictureOf(first, lang.pictureAlt);
  seen.push(`${lang.code}: step 1 with its picture`);
  await settle(page);
  await first.screenshot({ path: shot(`step-${lang.code}.png`) });
  return first;
}

async function settle(page) {
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300); // let the last card finish its layout before a screenshot
}

async function main() {
  const context = await chromium.launchPersistentContext(job.userDataDir, {
    executablePath: job.chromium, headless: true, args: FLAGS, viewport: { width: 1280, height: 1000 },
  });
  const page = context.pages()[0] || await context.newPage();
  try {
    await page.goto(job.url, { waitUntil: 'domcontentloaded', timeout: TIMEOUT });

    // Opening the chat installs the app: the bot sends its welcome card.
    const welcome = cardWith(page, want.welcomeIntro);
    await visible(welcome, 'welcome card');
    const heading = (await welcome.locator('[role="heading"]').first().innerText()).trim();
    if (!want.welcomeTitles.includes(heading)) throw new Error(`welcome heading ${JSON.stringify(heading)}`);
    seen.push(`welcome heading: ${heading}`);
    const logToggle = page.getByTitle('Toggle Log Panel');
    if (await logToggle.count()) await logToggle.first().click(); // more room for the chat
    await settle(page);
    await page.screenshot({ path: shot('welcome.png') });

    // "Show the modules" -> the menu card, with the module listed as not started.
    await welcome.getByRole('button', { name: want.welcomeStart, exact: true }).click();
    const menu = await newCard(page, want.menuTitle, 0);
    const row = rowOf(page, menu, want.moduleTitle);
    await visible(row.getByText(want.moduleTitle, { exact: true }).first(), 'module title in the menu');
    await visible(row.getByText(want.notStarted, { exact: true }).first(), 'status "not started"');

    // Start the module with its row's start button -> step 1; then Next -> step 2.
    await row.getByRole('button', { name: want.startLabel, exact: true }).click();
    const first = await newCard(page, want.stepPositions[0], 0);
    await visible(first.getByText(want.stepTitles[0], { exact: true }).first(), 'step 1 title');
    await first.getByRole('button', { name: want.nextLabel, exact: true }).click();
    const second = await newCard(page, want.stepPositions[1], 0);
    await visible(second.getByText(want.stepTitles[1], { exact: true }).first(), 'step 2 title');
    await settle(page);
    await page.screenshot({ path: shot('step.png') });

    // Back to the menu from the step card: the module is now in progress at step 2.
    const menus = await cardCount(page, want.menuTitle);
    await second.getByRole('button', { name: want.menuLabel, exact: true }).click();
    const again = await newCard(page, want.menuTitle, menus);
    await visible(again.getByText(want.inProgress, { exact: true }).first(), 'status "in progress" in the new menu');
    await visible(again.getByRole('button', { name: want.continueLabel, exact: true }), 'continue button');
    await settle(page);
    await page.screenshot({ path: shot('menu.png') });
    await again.screenshot({ path: shot('menu-en.png') });

    // Each language: the step with a picture, then choose the next language from the menu.
    let menuNow = again;
    let current = want.languages[0];
    for (const lang of want.languages) {
      if (lang.code !== current.code) {
        const menus = await cardCount(page, lang.menuTitle);
        const choosers = await cardCount(page, current.languageTitle);
        await menuNow.getByRole('button', { name: current.languageLabel, exact: true }).click();
        const chooser = await newCard(page, current.languageTitle, choosers);
        await chooser.getByRole('button', { name: lang.languageName, exact: true }).click();
        menuNow = await newCard(page, lang.menuTitle, menus);
        await visible(menuNow.getByText(lang.moduleTitle, { exact: true }).first(), `${lang.code}: menu`);
        await settle(page);
        await menuNow.screenshot({ path: shot(`menu-${lang.code}.png`) });
      }
      const step = await shootLanguage(page, menuNow, lang);
      const menus = await cardCount(page, lang.menuTitle);
      await step.getByRole('button', { name: lang.menuLabel, exact: true }).click();
      menuNow = await newCard(page, lang.menuTitle, menus);
      current = lang;
    }
    console.log(JSON.stringify({ ok: true, seen }));
  } catch (error) {
    await page.screenshot({ path: shot('browser-failure.png') }).catch(() => {});
    await page.content().then(html => writeFile(shot('browser-failure.html'), html)).catch(() => {});
    console.log(JSON.stringify({ ok: false, seen, error: String(error && error.stack || error) }));
    process.exitCode = 1;
  } finally {
    await context.close();
  }
}

await main();
