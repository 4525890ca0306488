// Drives the Microsoft 365 Agents Playground web UI in headless Chromium, as a Teams user would:
// open the chat, see the welcome card, click its start button, start a module, go one step on,
// go back to the menu; then, per language (chosen on the language card), the whole journey:
// the welcome (after a reinstall, in the chosen language), the menu, the module's first step with
// its picture (served by the bot), the exercise done ✓, the first quiz question, the quiz result
// and "my data". Saves welcome.png, step.png, menu.png and, per language, welcome-<lang>.png,
// menu-<lang>.png, step-<lang>.png, exercise-<lang>.png, question-<lang>.png, result-<lang>.png,
// mydata-<lang>.png. Every expected text comes from the caller (tests/e2e/test_browser.py reads
// it from content/).
//
//   node tests/e2e/browser_driver.mjs '<json>'
//   json: {url, chromium, userDataDir, artifacts, bot: {messagesUrl, activity}, expect}
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

// The newest card that shows one of the module's step positions, and which step it is (0-based).
async function newestStep(page, lang) {
  const card = page.locator('.ac-adaptiveCard').filter({ hasText: lang.moduleTitle }).last();
  const shown = await card.innerText();
  const index = lang.stepPositions.findIndex(position => shown.includes(position));
  return [card, index];
}

// Click `button` and wait for one more card showing any step position; the newest such card.
async function toStep(page, button, lang) {
  const before = await page.evaluate(
    positions => [...document.querySelectorAll('.ac-adaptiveCard')]
      .filter(c => positions.some(p => c.innerText.includes(p))).length, lang.stepPositions);
  await button.click();
  await page.waitForFunction(
    ([positions, n]) => [...document.querySelectorAll('.ac-adaptiveCard')]
      .filter(c => positions.some(p => c.innerText.includes(p))).length > n,
    [lang.stepPositions, before], { timeout: TIMEOUT });
  return newestStep(page, lang);
}

// The menu's Continue, then Back until the module's first step, which has a picture the bot serves.
async function shootLanguage(page, menu, lang) {
  const row = rowOf(page, menu, lang.moduleTitle);
  let [card, index] = await toStep(page, row.getByRole('button', { name: lang.continueLabel, exact: true }), lang);
  while (index > 0) {
    [card, index] = await toStep(page, card.getByRole('button', { name: lang.backLabel, exact: true }), lang);
  }
  if (index !== 0) throw new Error(`${lang.code}: no step card after Continue/Back`);
  await pictureOf(card, lang.pictureAlt);
  seen.push(`${lang.code}: step 1 with its picture`);
  await settle(page);
  await card.screenshot({ path: shot(`step-${lang.code}.png`) });
  return card;
}

// Next up to the exercise step; Done when it is still open (then Back to it): the ✓ state.
async function shootExercise(page, first, lang) {
  let [card, index] = [first, 0];
  while (index < lang.exerciseStep) {
    [card, index] = await toStep(page, card.getByRole('button', { name: lang.nextLabel, exact: true }), lang);
  }
  const done = card.getByRole('button', { name: lang.doneLabel, exact: true });
  if (lang.clickDone) {
    [card, index] = await toStep(page, done, lang);
    if (index !== lang.exerciseStep + 1) throw new Error(`${lang.code}: Done led to step ${index + 1}`);
    [card, index] = await toStep(page, card.getByRole('button', { name: lang.backLabel, exact: true }), lang);
  }
  await visible(card.getByText(lang.exerciseDone, { exact: true }).first(), `${lang.code}: exercise done ✓`);
  if (await done.count()) throw new Error(`${lang.code}: a done exercise still offers ${lang.doneLabel}`);
  await settle(page);
  await card.screenshot({ path: shot(`exercise-${lang.code}.png`) });
  return card;
}

// The module's quiz from the menu: the first question screenshotted, every question answered with
// its first option, then the result.
async function shootQuiz(page, menu, lang) {
  const row = rowOf(page, menu, lang.moduleTitle);
  const results = await cardCount(page, lang.resultTitle);
  let asked = await cardCount(page, lang.questionPositions[0]);
  await row.getByRole('button', { name: lang.quizLabel, exact: true }).click();
  for (const [number, position] of lang.questionPositions.entries()) {
    const question = await newCard(page, position, asked);
    await visible(question.getByRole('button', { name: lang.submitLabel, exact: true }), `${lang.code}: question ${number + 1}`);
    if (number === 0) {
      await settle(page);
      await question.screenshot({ path: shot(`question-${lang.code}.png`) });
    }
    await question.locator('input[type="radio"], input[type="checkbox"]').first().check();
    asked = number + 1 < lang.questionPositions.length ? await cardCount(page, lang.questionPositions[number + 1]) : 0;
    await question.getByRole('button', { name: lang.submitLabel, exact: true }).click();
  }
  const result = await newCard(page, lang.resultTitle, results);
  await visible(result.getByText(lang.resultTitle, { exact: true }).first(), `${lang.code}: quiz result`);
  await settle(page);
  await result.screenshot({ path: shot(`result-${lang.code}.png`) });
  return result;
}

// What the bot receives when the app is removed, then added again (the playground's own
// debug route): the welcome comes again, in the language the worker chose.
async function reinstall(page, lang) {
  const before = await cardCount(page, lang.welcomeIntro);
  const removed = await fetch(job.bot.messagesUrl, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...job.bot.activity, id: `remove-${lang.code}`, timestamp: new Date().toISOString() }),
  });
  if (removed.status >= 300) throw new Error(`uninstall answered ${removed.status}`);
  const added = await fetch(`${job.url}/_debug/conversation/${job.bot.activity.conversation.id}/installation`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  });
  if (added.status >= 300) throw new Error(`install answered ${added.status}`);
  return newCard(page, lang.welcomeIntro, before);
}

async function shootWelcome(page, welcome, lang) {
  const heading = (await welcome.locator('[role="heading"]').first().innerText()).trim();
  if (heading !== lang.welcomeTitle) throw new Error(`${lang.code}: welcome heading ${JSON.stringify(heading)}`);
  seen.push(`${lang.code}: welcome heading ${heading}`);
  await settle(page);
  await welcome.screenshot({ path: shot(`welcome-${lang.code}.png`) });
}

// "My data" typed in the chat (the playground's user-message route, as the compose box sends it).
async function shootMyData(page, lang) {
  const before = await cardCount(page, lang.myDataTitle);
  const sent = await fetch(`${job.url}/_conversation/v1/conversations/${job.bot.activity.conversation.id}/messages`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: { id: job.bot.activity.from.id }, text: lang.myDataCommand, textFormat: 'plain' }),
  });
  if (sent.status >= 300) throw new Error(`typing "${lang.myDataCommand}" answered ${sent.status}`);
  const card = await newCard(page, lang.myDataTitle, before);
  await visible(card.getByText(lang.myDataExercises, { exact: false }).first(), `${lang.code}: my data with the exercise marks`);
  await settle(page);
  await card.screenshot({ path: shot(`mydata-${lang.code}.png`) });
  return card;
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

    // Each language: choose it on the language card (after the first), then the whole journey.
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
        await shootWelcome(page, await reinstall(page, lang), lang);
      } else {
        await shootWelcome(page, welcome, lang);
      }
      const step = await shootLanguage(page, menuNow, lang);
      const exercise = await shootExercise(page, step, lang);
      let menus = await cardCount(page, lang.menuTitle);
      await exercise.getByRole('button', { name: lang.menuLabel, exact: true }).click();
      menuNow = await newCard(page, lang.menuTitle, menus);
      await shootQuiz(page, menuNow, lang);
      const myData = await shootMyData(page, lang);
      menus = await cardCount(page, lang.menuTitle);
      await myData.getByRole('button', { name: lang.menuLabel, exact: true }).click();
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
