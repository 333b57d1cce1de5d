// A small harness for the web client's end-to-end scenarios: Debian's Chromium through
// playwright-core (never a downloaded browser), people as browser contexts, screenshots, and
// waits on what the page shows (no sleeps).

import {chromium} from 'playwright-core';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';

export const DESKTOP = {width: 1280, height: 800};
export const PHONE = {width: 390, height: 844};
const WAIT_MS = 15_000;

export class Harness {
  constructor(baseUrl, screenshotDir) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.screenshotDir = screenshotDir;
    this.people = [];
    mkdirSync(screenshotDir, {recursive: true});
  }

  async launch() {
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
      timeout: 60_000,
    });
  }

  async close() {
    if (this.browser) await this.browser.close();
  }

  /** A person with their own browser context (own storage, own socket). */
  async person(name, viewport = DESKTOP) {
    const context = await this.browser.newContext({viewport, baseURL: this.baseUrl});
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const person = {name, context, page, problems: []};
    // The page must never throw, and nothing may be refused by the Content-Security-Policy.
    page.on('pageerror', (e) => person.problems.push(`uncaught: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content.Security.Policy|Refused to/i.test(m.text())) person.problems.push(`console: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(this.baseUrl) && !/^(blob|data):/.test(r.url())) person.problems.push(`outside request: ${r.url()}`);
    });
    // What went over the stream, to check how the client resumes.
    person.frames = [];
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => person.frames.push({sent: true, frame: parse(f.payload)}));
      ws.on('framereceived', (f) => person.frames.push({sent: false, frame: parse(f.payload)}));
    });
    this.people.push(person);
    return person;
  }

  /** A person logged in to an existing account, with what their page asks and gets recorded (`record`). */
  async loggedIn(name, handle, viewport = DESKTOP) {
    const person = await this.person(name, viewport);
    record(person);
    await logIn(person, handle);
    return person;
  }

  /** Saves what the person sees, and checks it shows no leaked program values. */
  async screenshot(person, name) {
    await person.page.screenshot({path: join(this.screenshotDir, `${name}.png`)});
    const text = await person.page.locator('body').innerText();
    const leaked = text.match(/\b(null|undefined|NaN)\b|\[object Object\]/);
    if (leaked) person.problems.push(`"${leaked[0]}" shown on ${name}`);
    const unlabelled = await person.page.evaluate(unlabelledControls);
    if (unlabelled.length) person.problems.push(`controls without a label on ${name}: ${unlabelled.join(', ')}`);
  }

  /** Failures of the page itself, collected while a scenario ran. */
  problems() {
    return this.people.flatMap((p) => p.problems.map((x) => `${p.name}: ${x}`));
  }

  /**
   * Runs [name, fn] scenarios in order, printing "ok - name" or "not ok - name" (with screenshots of
   * everyone, FAILED-<person>.png) for each, then "N passed, M failed"; exits 0 only when all passed.
   */
  async runScenarios(scenarios) {
    let passed = 0;
    let failed = 0;
    try {
      await this.launch();
      for (const [name, run] of scenarios) {
        const started = Date.now();
        try {
          await run();
          const problems = this.problems();
          if (problems.length) throw new Error(`the page reported problems:\n  ${problems.join('\n  ')}`);
          passed += 1;
          console.log(`ok - ${name} (${Date.now() - started} ms)`);
        } catch (e) {
          failed += 1;
          console.log(`not ok - ${name}\n  ${String(e.stack || e).split('\n').slice(0, 6).join('\n  ')}`);
          for (const p of this.people) await this.screenshot(p, `FAILED-${p.name}`).catch(() => {});
          for (const p of this.people) p.problems = [];
        }
      }
    } finally {
      await this.closePeople();
      await this.close();
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed === 0 && passed === scenarios.length ? 0 : 1);
  }

  async closePeople() {
    for (const p of this.people) await p.context.close().catch(() => {});
    this.people = [];
  }
}

/** Signs a new account up through the form and waits until the stream is live. */
export async function signUp(person, handle, displayName, {kind = 'person', password = 'correct horse battery'} = {}) {
  const {page} = person;
  await page.goto('/');
  await page.getByRole('link', {name: 'Create an account'}).click();
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill(password);
  if (kind === 'business') await page.getByLabel('Business').check();
  await page.getByRole('button', {name: 'Create account'}).click();
  await live(person);
  person.handle = handle;
  person.displayName = displayName;
}

export function live(person) {
  return person.page.locator('[data-connection="live"]').waitFor();
}

/** Logs an existing account in (its password is "correct horse <handle>") and waits until the stream is live. */
export async function logIn(person, handle) {
  const {page} = person;
  await page.goto('/');
  await page.getByLabel('Handle').fill(handle);
  await page.getByLabel('Password', {exact: true}).fill(`correct horse ${handle}`);
  await page.getByRole('button', {name: 'Log in'}).click();
  await live(person);
  person.handle = handle;
}

/**
 * Keeps every API request the person's page makes ("GET /api/v1/…"), and every API answer it gets:
 * {request, text}.
 */
export function record(person) {
  person.requests = [];
  person.answers = [];
  person.page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/v1/')) person.requests.push(`${r.method()} ${path}`);
  });
  person.page.on('response', async (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith('/api/v1/')) return;
    try {
      person.answers.push({request: `${r.request().method()} ${path}`, text: await r.text()});
    } catch {
      // no body (204) or the page went away
    }
  });
}

/**
 * Deletes `what` ("trunk spare", "phone Phone 10") by its "Delete <what>" button, asked first: Cancel keeps
 * `row` (its locator), Delete removes it.
 */
export async function deleteConfirmed(person, what, row) {
  const {page} = person;
  const button = page.getByRole('button', {name: `Delete ${what}`});
  const dialog = page.getByRole('dialog', {name: `Delete ${what}?`});
  await button.click();
  await dialog.getByRole('button', {name: 'Cancel'}).click();
  await dialog.waitFor({state: 'detached'});
  check(await row.count() === 1, `Cancel keeps ${what}`);
  await button.click();
  await dialog.getByRole('button', {name: 'Delete'}).click();
  await row.waitFor({state: 'detached'});
}

/** Opens a conversation from the sidebar list by its title. */
export async function openConversation(person, title) {
  const {page} = person;
  if (await page.locator('.shell[data-view="detail"] .back').first().isVisible()) {
    await page.locator('.shell[data-view="detail"] .back').first().click();
  }
  await page.locator('.conversations a.conversation-link', {hasText: title}).click();
  await page.locator('section.chat-view[data-loaded="true"]').waitFor();
}

export async function send(person, text) {
  const box = person.page.getByRole('textbox', {name: 'Message'});
  await box.fill(text);
  await box.press('Enter');
  await message(person, text).waitFor();
}

/** The message element (li) whose text contains `text` (a string) or matches it (a RegExp). */
export function message(person, text) {
  return person.page.locator('li.message', {has: person.page.locator('p.text', {hasText: text})});
}

/** Waits until `fn` (run in the page) returns true. */
export function until(person, fn, arg) {
  return person.page.waitForFunction(fn, arg, {timeout: WAIT_MS});
}

export function check(condition, what) {
  if (!condition) throw new Error(what);
}

function parse(payload) {
  try {
    return JSON.parse(String(payload));
  } catch {
    return {type: '(not json)'};
  }
}

/** The public API straight from node, for preparing data a person then looks at. */
export async function api(baseUrl, method, path, token, body) {
  const response = await fetch(baseUrl + path, {
    method,
    headers: {'Content-Type': 'application/json', ...(token ? {Authorization: `Bearer ${token}`} : {})},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** Runs in the page: every control a person can reach has a name a screen reader can say. */
function unlabelledControls() {
  const named = (el) => {
    if (el.getAttribute('aria-label')?.trim() || el.title?.trim()) return true;
    const by = el.getAttribute('aria-labelledby');
    if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent.trim())) return true;
    if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
    return ['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim().length > 0;
  };
  return [...document.querySelectorAll('button, a[href], input, textarea, select, [tabindex]:not([tabindex="-1"])')]
    .filter((el) => el.type !== 'hidden' && !el.closest('[hidden]') && !named(el))
    .map((el) => el.outerHTML.slice(0, 80));
}
