// SIP phones in the web client: node phones.mjs <baseUrl> <screenshotDir> <personHandle> <companyHandle>
// Run beside the harness by PhonesWebIT, which has made the accounts (the person "Ann Archer" and the
// business "Acme Ltd", password "correct horse <handle>"). A real SIP peer, SIPp with sip-phone.xml (also
// beside it), registers with the credentials the page showed. Prints "ok - name" or "not ok - name" per
// scenario, "phone <name>: <username>" per phone added, and how many API answers the pages received
// (only the answer that made a phone may hold its password).

import {execFile} from 'node:child_process';
import {createSocket} from 'node:dgram';
import {fileURLToPath} from 'node:url';
import {DESKTOP, Harness, PHONE, api, check, deleteConfirmed, live} from './harness.mjs';

const [baseUrl, screenshotDir, ANN, ACME] = process.argv.slice(2);
if (!ACME) {
  console.error('usage: node phones.mjs <baseUrl> <screenshotDir> <personHandle> <companyHandle>');
  process.exit(2);
}
const SIPP = process.env.SIPP_PATH || '/usr/bin/sipp';
const SCENARIO = fileURLToPath(new URL('./sip-phone.xml', import.meta.url));
const PHONE_ADDRESS = '127.0.0.11'; // the SIP phone's own loopback address
const MAX_PHONES = 10;
const SEEN_WITHIN_MS = 10_000; // the list is asked again every 5 s
const h = new Harness(baseUrl, screenshotDir);
const cast = {};
const passwords = new Map(); // phone name → the password its dialog showed

function phoneRow(person, name) {
  return person.page.locator(`li.phone-row[data-phone="${name}"]`);
}

function status(person, name) {
  return phoneRow(person, name).getByTestId('phone-status');
}

/** Adds a phone through the form; returns what its dialog showed, once it is closed again. */
async function addPhone(person, name) {
  const {page} = person;
  const form = page.locator('form.phone-form');
  await form.getByLabel('Phone name', {exact: true}).fill(name);
  await form.getByRole('button', {name: 'Add phone'}).click();
  const dialog = page.getByRole('dialog', {name: `Set up ${name}`});
  await dialog.waitFor();
  const read = (label) => dialog.getByLabel(label, {exact: true}).inputValue();
  const shown = {name, username: await read('Username'), password: await read('Password'),
    realm: await read('Domain (realm)'), registrar: await read('Registrar'), dialog};
  check(new RegExp(`^${person.handle}\\.[a-z0-9]{6}$`).test(shown.username), `a username of ${person.handle}: ${shown.username}`);
  check(shown.password.length >= 16, `a long password: ${shown.password.length} characters`);
  check(/^sip:[^:]+:\d+$/.test(shown.registrar) && shown.registrar.includes(shown.realm),
    `the registrar at the realm, with the SIP port: ${shown.registrar} (${shown.realm})`);
  await dialog.getByRole('note').filter({hasText: 'shown only this once'}).waitFor();
  passwords.set(name, shown.password);
  console.log(`phone ${name}: ${shown.username}`);
  return shown;
}

async function closeDialog(person, shown) {
  await shown.dialog.getByRole('button', {name: 'Done, I have copied it'}).click();
  await shown.dialog.waitFor({state: 'detached'});
  await phoneRow(person, shown.name).waitFor();
}

/** A UDP port nobody uses on `address`, for the phone to keep across its REGISTERs (same contact). */
function freeUdpPort(address) {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, address, () => {
      const {port} = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** The phone (SIPp) sends one REGISTER of `expires` seconds with its credentials, to a 200. */
function register(phone, expires) {
  const [, host, port = '5060'] = /^sip:([^:;]+)(?::(\d+))?$/.exec(phone.registrar);
  const args = ['-sf', SCENARIO, '-s', phone.username, '-au', phone.username, '-ap', phone.password,
    '-key', 'domain', phone.realm, '-key', 'expires', String(expires), '-i', PHONE_ADDRESS, '-p', String(phone.port),
    '-t', 'u1', '-m', '1', '-timeout', '20', '-timeout_error', '-nostdin', `${host}:${port}`];
  return new Promise((resolve, reject) => {
    execFile(SIPP, args, {timeout: 30_000, killSignal: 'SIGKILL'}, (error, stdout, stderr) => {
      if (error) reject(new Error(`sipp (Expires ${expires}) failed: ${error.message}\n${stdout.slice(-2000)}\n${stderr}`));
      else resolve();
    });
  });
}

/** The page has not been reloaded since `mark` was left in it. */
async function notReloaded(person, mark) {
  const kept = await person.page.evaluate(() => window.leftByTheTest);
  check(kept === mark, `the page was not reloaded (${kept})`);
}

async function dotColour(person, name) {
  return phoneRow(person, name).locator('.status-dot').evaluate((el) => getComputedStyle(el).backgroundColor);
}

const scenarios = [
  ['ann, a person, opens SIP phones from her profile, adds "Desk phone" and sees its settings once', async () => {
    const ann = cast.ann = await h.loggedIn('ann', ANN);
    const {page} = ann;
    await page.getByTestId('me-link').click();
    await page.getByRole('heading', {name: 'Ann Archer'}).waitFor();
    await page.getByTestId('phones-open').click();
    await page.getByRole('heading', {name: 'SIP phones', exact: true}).waitFor();
    check(new URL(page.url()).hash === '#/phones', `at #/phones: ${page.url()}`);
    await page.locator('section.phones-view:not([aria-busy])').getByText('No phones yet').waitFor();
    await page.getByText('on a desk phone or a softphone').waitFor();

    const desk = cast.desk = await addPhone(ann, 'Desk phone');
    await h.screenshot(ann, 'phone-credentials');
    // The dialog's Copy buttons each name what they copy.
    for (const what of ['username', 'password', 'domain (realm)', 'registrar']) {
      await desk.dialog.getByRole('button', {name: `Copy ${what}`}).waitFor();
    }
    await closeDialog(ann, desk);
    await status(ann, 'Desk phone').filter({hasText: /^Not registered$/}).waitFor();
    await phoneRow(ann, 'Desk phone').filter({hasText: `${desk.username} · ${desk.registrar}`}).waitFor();
    check(await page.locator('form.phone-form').getByLabel('Phone name', {exact: true}).inputValue() === '', 'the name field is emptied');
    check(!(await page.locator('body').innerText()).includes(desk.password), 'the password is gone from the page with its dialog');
  }],

  ['a SIP phone registers with those credentials: "Registered until" within 10 s, then "Not registered" once it un-registers', async () => {
    const {ann, desk} = cast;
    const {page} = ann;
    const idle = await dotColour(ann, 'Desk phone');
    await page.evaluate(() => {
      window.leftByTheTest = 'phones';
    });
    desk.port = await freeUdpPort(PHONE_ADDRESS);
    const sent = Date.now();
    await register(desk, 300);
    await status(ann, 'Desk phone').filter({hasText: /^Registered until \d\d:\d\d$/}).waitFor({timeout: SEEN_WITHIN_MS});
    const shownAfter = Date.now() - sent;
    await notReloaded(ann, 'phones');
    const time = phoneRow(ann, 'Desk phone').locator('time');
    const until = await time.getAttribute('datetime');
    const left = (Date.parse(until) - Date.now()) / 1000;
    check(left > 240 && left <= 300, `registered for the 300 s asked: ${left} s left (until ${until})`);
    const clock = await page.evaluate((iso) => {
      const d = new Date(iso);
      return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    }, until);
    check(await time.textContent() === clock, `until ${clock} in the browser's time: ${await time.textContent()}`);
    const ok = await dotColour(ann, 'Desk phone');
    check(ok === 'rgb(27, 122, 58)' && ok !== idle, `the dot turned green: ${idle} → ${ok}`);
    console.log(`registered shown after ${shownAfter} ms`);
    await h.screenshot(ann, 'phone-registered');

    await register(desk, 0);
    await status(ann, 'Desk phone').filter({hasText: /^Not registered$/}).waitFor({timeout: SEEN_WITHIN_MS});
    await notReloaded(ann, 'phones');
    check(await dotColour(ann, 'Desk phone') === idle, 'the dot is grey again');
    check(!(await phoneRow(ann, 'Desk phone').locator('time').count()), 'no time without a registration');
    await h.screenshot(ann, 'phone-not-registered');
  }],

  ['a blank name and the 11th phone are refused with readable messages; delete asks first', async () => {
    const {ann} = cast;
    const {page} = ann;
    const form = page.locator('form.phone-form');
    const alert = form.getByRole('alert');
    const posts = () => ann.requests.filter((r) => r === 'POST /api/v1/sip-devices').length;

    const before = posts();
    await form.getByLabel('Phone name', {exact: true}).fill('   ');
    await form.getByRole('button', {name: 'Add phone'}).click();
    await alert.filter({hasText: 'Give the phone a name of 1 to 64 characters.'}).waitFor();
    await form.locator('input[name="name"][aria-invalid="true"]').waitFor();
    check(posts() === before + 1, 'the server judged the name');
    check(!(await page.getByRole('dialog').count()), 'no dialog for a refused name');

    for (let n = 2; n <= MAX_PHONES; n++) await closeDialog(ann, await addPhone(ann, `Phone ${n}`));
    check(!(await alert.isVisible()), 'the error went with the next phone');
    check(await page.locator('li.phone-row').count() === MAX_PHONES, `${MAX_PHONES} phones listed`);

    await form.getByLabel('Phone name', {exact: true}).fill('Phone 11');
    await form.getByRole('button', {name: 'Add phone'}).click();
    await alert.filter({hasText: 'You already have 10 SIP phones, the most an account can have. Delete one to add another.'}).waitFor();
    check(!(await page.getByRole('dialog').count()), 'no dialog for the 11th phone');
    check(await page.locator('li.phone-row').count() === MAX_PHONES && !(await phoneRow(ann, 'Phone 11').count()), 'still 10 phones');
    await form.scrollIntoViewIfNeeded();
    await h.screenshot(ann, 'phones-limit');

    await deleteConfirmed(ann, 'phone Phone 10', phoneRow(ann, 'Phone 10'));
    check(!(await alert.isVisible()), 'the limit message went with the deleted phone');
    check(ann.requests.filter((r) => r.startsWith('DELETE /api/v1/sip-devices/')).length === 1, 'one DELETE');
  }],

  ['after a reload the list is the API\'s; no answer but the one that made a phone holds its password', async () => {
    const {ann} = cast;
    const {page} = ann;
    await page.reload();
    await live(ann);
    await page.locator('section.phones-view:not([aria-busy])').waitFor();
    await phoneRow(ann, 'Desk phone').waitFor();
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem('switchboard.session')).token);
    const held = (await api(baseUrl, 'GET', '/api/v1/sip-devices', token)).devices;
    const listed = await page.locator('li.phone-row').evaluateAll((rows) => rows.map((row) => ({
      name: row.dataset.phone,
      address: row.querySelector('.address').textContent,
      status: row.querySelector('[data-testid="phone-status"]').textContent,
    })));
    const expected = held.map((d) => ({name: d.name, address: `${d.username} · ${d.registrar}`, status: 'Not registered'}));
    check(held.every((d) => !d.registered && !d.registeredUntil), `no phone is registered now: ${JSON.stringify(held)}`);
    check(JSON.stringify(listed) === JSON.stringify(expected), `the page lists what the API holds:\n${JSON.stringify(listed)}\n${JSON.stringify(expected)}`);
    check(held.length === MAX_PHONES - 1 && !held.some((d) => d.name === 'Phone 10'), `9 phones, Phone 10 gone: ${held.map((d) => d.name)}`);
    await h.screenshot(ann, 'phones-after-reload');
    await page.setViewportSize(PHONE);
    await page.getByRole('heading', {name: 'SIP phones', exact: true}).scrollIntoViewIfNeeded();
    await h.screenshot(ann, 'phone-layout-phones');
    await page.setViewportSize(DESKTOP);

    const lists = ann.answers.filter((a) => a.request === 'GET /api/v1/sip-devices');
    check(lists.length > 5 && lists.every((a) => !a.text.includes('"password"')), `no list holds a password (${lists.length} lists)`);
    for (const [name, password] of passwords) {
      const holding = ann.answers.filter((a) => a.text.includes(password)).map((a) => a.request);
      check(holding.length === 1 && holding[0] === 'POST /api/v1/sip-devices',
        `only the answer that made ${name} holds its password: ${JSON.stringify(holding)}`);
    }
    check(!(await page.locator('body').innerText()).includes(cast.desk.password), 'no password on the page');
    console.log(`api answers checked: ${ann.answers.length}`);
  }],

  ['acme, a business, finds SIP phones beside Telephony on a phone and adds one', async () => {
    const acme = cast.acme = await h.loggedIn('acme', ACME, PHONE);
    const {page} = acme;
    await page.getByTestId('telephony-link').waitFor();
    await page.getByTestId('phones-link').click();
    await page.getByRole('heading', {name: 'SIP phones', exact: true}).waitFor();
    await page.locator('section.phones-view:not([aria-busy])').getByText('No phones yet').waitFor();
    const reception = await addPhone(acme, 'Reception');
    await h.screenshot(acme, 'phone-layout-credentials');
    const box = await reception.dialog.boundingBox();
    check(box && box.x >= 0 && box.x + box.width <= PHONE.width, `the dialog fits the phone's screen: ${JSON.stringify(box)}`);
    await closeDialog(acme, reception);
    await status(acme, 'Reception').filter({hasText: /^Not registered$/}).waitFor();
    check(!acme.answers.some((a) => a.text.includes(reception.password) && a.request !== 'POST /api/v1/sip-devices'),
      'the password only in the answer that made the phone');
  }],
];

await h.runScenarios(scenarios);
