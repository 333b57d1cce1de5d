// Telephony in the web client: node telephony.mjs <baseUrl> <screenshotDir> <companyHandle> <personHandle> <trunkPassword>
// Run beside the harness by TelephonyWebIT, which has made the accounts (the business "Acme Ltd" and the
// person "Bob Baker", password "correct horse <handle>"). Prints "ok - name" or "not ok - name" per
// scenario, and how many API answers the company's page received (none of them may hold the password).

import {DESKTOP, Harness, PHONE, check, deleteConfirmed, live} from './harness.mjs';

const [baseUrl, screenshotDir, ACME, BOB, PASSWORD] = process.argv.slice(2);
if (!PASSWORD) {
  console.error('usage: node telephony.mjs <baseUrl> <screenshotDir> <companyHandle> <personHandle> <trunkPassword>');
  process.exit(2);
}
// Trunk statuses the API knows; the client shows each with a dot: ok (green), idle (grey), bad (red).
const STATUSES = ['registered', 'reachable', 'unregistered', 'unreachable', 'failed'];
const h = new Harness(baseUrl, screenshotDir);
const cast = {};

function trunk(person, name) {
  return person.page.locator(`li.trunk-row[data-trunk="${name}"]`);
}

/** The row shows a known status in words, with its coloured dot. */
async function showsStatus(person, name) {
  const row = trunk(person, name);
  await row.getByTestId('trunk-status').filter({hasText: /\S/}).waitFor();
  const {status, health} = await row.evaluate((el) => ({status: el.dataset.status, health: el.dataset.health}));
  check(STATUSES.includes(status) && ['ok', 'idle', 'bad'].includes(health), `${name} shows a status: ${status} (${health})`);
  const dot = await row.locator('.status-dot').evaluate((el) => getComputedStyle(el).backgroundColor);
  check(/^rgb/.test(dot) && dot !== 'rgba(0, 0, 0, 0)', `${name} has a coloured dot: ${dot}`);
}

async function addTrunk(person, t) {
  const form = person.page.locator('form.trunk-form');
  await form.locator(`input[name="trunk-mode"][value="${t.mode}"]`).check();
  await form.getByLabel('Name', {exact: true}).fill(t.name);
  await form.getByLabel('Host', {exact: true}).fill(t.host);
  if (t.port) await form.getByLabel('Port', {exact: true}).fill(String(t.port));
  if (t.transport) await form.getByLabel('Transport', {exact: true}).selectOption(t.transport);
  if (t.mode === 'register') {
    await form.getByLabel('Username', {exact: true}).fill(t.username);
    await form.getByLabel('Password', {exact: true}).fill(t.password);
    await form.getByLabel('Realm', {exact: true}).fill(t.realm);
  } else {
    check(!(await form.getByLabel('Password', {exact: true}).isVisible()), 'a peer trunk asks for no password');
  }
  if (t.priority !== undefined) await form.getByLabel('Priority', {exact: true}).fill(String(t.priority));
  if (t.maxChannels) await form.getByLabel('Max channels', {exact: true}).fill(String(t.maxChannels));
  await form.getByRole('button', {name: 'Add trunk'}).click();
}

function rulesText(person) {
  return person.page.getByLabel('Rules (JSON)');
}

const scenarios = [
  ['acme adds a peer and a register trunk, sees their status live, gets a named error for a bad host, deletes one', async () => {
    const acme = cast.acme = await h.loggedIn('acme', ACME);
    const {page} = acme;
    await page.getByTestId('telephony-link').click();
    await page.getByRole('heading', {name: 'Telephony', exact: true}).waitFor();
    await page.locator('section.trunks:not([aria-busy])').getByText('No trunks yet').waitFor();
    // No rules yet (404 no_routing): a template with one rule to start from.
    await page.locator('section.routing:not([aria-busy])').getByText('No rules saved yet').waitFor();
    const template = JSON.parse(await rulesText(acme).inputValue());
    check(template.rules.length === 1, `the template has one rule: ${JSON.stringify(template)}`);

    await addTrunk(acme, {name: 'main', mode: 'peer', host: '127.0.0.2', port: 5080, transport: 'udp', priority: 1});
    await trunk(acme, 'main').waitFor();
    await addTrunk(acme, {name: 'office', mode: 'register', host: '127.0.0.3', transport: 'tcp', username: 'acme',
      password: PASSWORD, realm: 'pbx.local', priority: 5, maxChannels: 8});
    await trunk(acme, 'office').waitFor();
    check(await page.locator('form.trunk-form').getByLabel('Password', {exact: true}).inputValue() === '', 'the password field is emptied');

    await trunk(acme, 'main').filter({hasText: '127.0.0.2:5080/udp'}).filter({hasText: 'Priority 1'}).waitFor();
    await trunk(acme, 'office').filter({hasText: '127.0.0.3:5060/tcp'}).filter({hasText: 'up to 8 channels'}).waitFor();
    for (const name of ['main', 'office']) await showsStatus(acme, name);
    const names = await page.locator('li.trunk-row').evaluateAll((els) => els.map((el) => el.dataset.trunk));
    check(JSON.stringify(names) === JSON.stringify(['main', 'office']), `listed by priority: ${JSON.stringify(names)}`);
    await page.locator('#telephony-title').scrollIntoViewIfNeeded();
    await h.screenshot(acme, 'trunks');

    // The status is asked again while the screen is open, without anyone doing anything.
    await page.waitForRequest((r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/trunks', {timeout: 8000});

    // A bad host: the server's 400 names the field, shown next to the form; the field is marked.
    await addTrunk(acme, {name: 'spare', mode: 'peer', host: 'pbx..example'});
    await page.locator('form.trunk-form').getByRole('alert').filter({hasText: /^host: /}).waitFor();
    await page.locator('form.trunk-form input[name="host"][aria-invalid="true"]').waitFor();
    await h.screenshot(acme, 'trunk-error');
    await page.locator('form.trunk-form').getByLabel('Host', {exact: true}).fill('127.0.0.4');
    await page.locator('form.trunk-form').getByRole('button', {name: 'Add trunk'}).click();
    await trunk(acme, 'spare').waitFor();

    // Delete asks first: Cancel keeps the trunk, Delete removes it.
    await deleteConfirmed(acme, 'trunk spare', trunk(acme, 'spare'));
    check(!(await page.locator('form.trunk-form [role="status"]').textContent()), 'the form no longer says spare was added');
    check(acme.requests.filter((r) => r.startsWith('DELETE /api/v1/trunks/')).length === 1, 'one DELETE');

    const shown = await page.locator('body').innerText();
    const values = await page.locator('input').evaluateAll((els) => els.map((el) => el.value));
    check(!shown.includes(PASSWORD) && !values.includes(PASSWORD), 'the password is not on the page');
  }],

  ['acme loads the example rules; bad JSON and an unknown trunk are refused with clear messages; fixed, saved, reloaded', async () => {
    const {acme} = cast;
    const {page} = acme;
    const text = rulesText(acme);
    const save = page.getByRole('button', {name: 'Save rules'});
    const alert = page.locator('form.routing-form').getByRole('alert');

    await page.getByRole('button', {name: 'Load example'}).click();
    const example = await text.inputValue();
    check(example.includes('"trunk": "main"') && JSON.parse(example).rules.length === 2,
      `the example goes over the first trunk, main:\n${example}`);

    // Malformed JSON is caught here and never sent.
    const puts = () => acme.requests.filter((r) => r === 'PUT /api/v1/routing').length;
    await text.fill(example.replace('"rules":', '"rules"'));
    await save.click();
    await alert.filter({hasText: 'The rules are not valid JSON'}).waitFor();
    check(puts() === 0, 'malformed JSON is not sent');

    // An unknown trunk: the server names the field; the text stays as typed.
    const wrong = example.replace('"trunk": "main"', '"trunk": "backup"');
    await text.fill(wrong);
    await save.click();
    await alert.filter({hasText: "rules[0].ring.members[0].trunk: no trunk is named 'backup'"}).waitFor();
    check(puts() === 1 && await text.inputValue() === wrong, 'the refused text is kept');
    check(!(await page.locator('li.rule-card').count()), 'nothing refused is shown as saved');
    await h.screenshot(acme, 'routing-error');

    await text.fill(example);
    await save.click();
    await page.locator('form.routing-form [role="status"]').filter({hasText: 'Saved.'}).waitFor();
    check(!(await alert.isVisible()), 'the error is gone');
    const seesRules = async () => {
      const office = page.locator('li.rule-card[data-rule="office hours"]');
      await office.waitFor();
      await office.filter({hasText: 'Mon, Tue, Wed, Thu, Fri, 09:00–18:00'}).filter({hasText: 'Ring everyone at once'})
        .filter({hasText: 'Everyone rings 60 s'}).filter({hasText: 'Yes: members in a call are left out'}).waitFor();
      await office.locator('.member-chip[data-member="201"]').filter({hasText: 'via main'}).waitFor();
      await office.locator('.member-chip[data-member="@alice"]').waitFor();
      await page.locator('li.rule-card[data-rule="after hours"]').filter({hasText: 'Always'})
        .filter({hasText: 'One after another, as listed'}).waitFor();
      await page.getByText('Times are in Europe/Berlin.').waitFor();
    };
    await seesRules();
    await h.screenshot(acme, 'routing-saved');

    // After a reload the stored rules come back, in the view and in the text.
    await page.reload();
    await live(acme);
    await page.getByRole('heading', {name: 'Telephony', exact: true}).waitFor();
    await seesRules();
    const back = JSON.parse(await text.inputValue());
    check(back.rules[0].ring.members[0].trunk === 'main' && back.timezone === 'Europe/Berlin',
      `the text holds the stored rules: ${JSON.stringify(back)}`);
    for (const name of ['main', 'office']) await showsStatus(acme, name);
    await h.screenshot(acme, 'telephony-after-reload');
    await page.setViewportSize(PHONE);
    await page.getByRole('heading', {name: 'Trunks'}).scrollIntoViewIfNeeded();
    await h.screenshot(acme, 'phone-telephony');
    await page.setViewportSize(DESKTOP);

    const leaked = acme.answers.filter((a) => a.text.includes(PASSWORD));
    check(acme.answers.length > 5 && !leaked.length, `no API answer holds the password (${leaked.length} of ${acme.answers.length} do)`);
    console.log(`api answers checked: ${acme.answers.length}`);
  }],

  ['bob, a person, has no Telephony entry and a friendly message at its address; acme\'s profile offers him Call', async () => {
    const bob = cast.bob = await h.loggedIn('bob', BOB);
    const {page} = bob;
    await page.getByTestId('calls-link').waitFor();
    check(!(await page.getByTestId('telephony-link').count()), 'a person sees no Telephony entry');
    await page.goto('/#/telephony');
    await page.getByTestId('telephony-business-only').filter({hasText: 'Only business accounts have telephony settings'}).waitFor();
    check(!bob.requests.some((r) => r.includes('/trunks') || r.includes('/routing')), 'nothing asked for a person');
    await h.screenshot(bob, 'person-telephony');

    await page.getByLabel('Search people and companies').pressSequentially(ACME);
    await page.locator(`.results button[data-handle="${ACME}"]`).click();
    await page.getByRole('heading', {name: 'Acme Ltd'}).waitFor();
    await page.locator('.profile .badge', {hasText: 'Business'}).waitFor();
    await page.getByTestId('call-start').filter({hasText: /^Call$/}).waitFor();
    await page.getByTestId('video-call-start').waitFor();
    await h.screenshot(bob, 'person-views-company');
  }],
];

await h.runScenarios(scenarios);
