// The web client's end-to-end scenarios: node run.mjs <baseUrl> <screenshotDir>
// Exits 0 only when every scenario passed. Each scenario prints "ok - name" or "not ok - name".

import {DESKTOP, Harness, PHONE, api, check, live, message, openConversation, send, signUp, until} from './harness.mjs';
import {readFile} from 'node:fs/promises';
import {tinyPng} from './png.mjs';

const [baseUrl, screenshotDir = 'screenshots'] = process.argv.slice(2);
if (!baseUrl) {
  console.error('usage: node run.mjs <baseUrl> <screenshotDir>');
  process.exit(2);
}
// A suffix keeps handles fresh when run twice against the same server.
const S = process.env.E2E_SUFFIX || '';
const h = new Harness(baseUrl, screenshotDir);
const cast = {};

const scenarios = [
  ['wrong password and a taken handle show readable errors', async () => {
    const dave = await h.person('dave');
    await signUp(dave, `dave${S}`, 'Dave');
    await dave.page.getByRole('button', {name: 'Log out'}).click();
    await dave.page.getByRole('heading', {name: 'Log in to Switchboard'}).waitFor();
    await dave.page.getByLabel('Handle').fill(`dave${S}`);
    await dave.page.getByLabel('Password').fill('not my password');
    await dave.page.getByRole('button', {name: 'Log in'}).click();
    await dave.page.getByRole('alert').filter({hasText: 'Wrong handle or password.'}).waitFor();
    await h.screenshot(dave, 'login-wrong-password');

    await dave.page.getByRole('link', {name: 'Create an account'}).click();
    const handle = dave.page.getByLabel('Handle');
    await handle.fill('9x');
    await dave.page.locator('[data-rule="first"][data-ok="false"]').waitFor();
    await dave.page.locator('[data-rule="length"][data-ok="false"]').waitFor();
    await handle.fill(`dave${S}`);
    await dave.page.locator('#handle-rules li[data-ok="false"]').waitFor({state: 'detached'});
    await dave.page.getByLabel('Password').fill('another good password');
    await dave.page.getByRole('button', {name: 'Create account'}).click();
    await dave.page.getByRole('alert').filter({hasText: 'That handle is already taken'}).waitFor();
    await h.screenshot(dave, 'signup-handle-taken');
    check(await dave.page.getByRole('heading', {name: 'Create your Switchboard account'}).isVisible(), 'the form stays');

    // Logging in works from the keyboard alone: the handle field has the focus, Tab, Enter.
    await dave.page.getByRole('link', {name: 'Log in'}).click();
    // The screen puts the focus on the handle field; typing before that would lose keys.
    await dave.page.locator('input[name="handle"]:focus').waitFor();
    await dave.page.keyboard.type(`dave${S}`);
    await dave.page.keyboard.press('Tab');
    await dave.page.keyboard.type('correct horse battery');
    await dave.page.keyboard.press('Enter');
    await live(dave);
  }],

  ['alice writes to bob, who replies and reacts live; alice sees reply, reaction and read mark', async () => {
    const alice = cast.alice = await h.person('alice', DESKTOP);
    const bob = cast.bob = await h.person('bob', PHONE);
    await signUp(alice, `alice${S}`, 'Alice Archer');
    await signUp(bob, `bob${S}`, 'Bob Baker');

    // The directory as you type, a profile, "Message".
    await alice.page.getByLabel('Search people and companies').pressSequentially('bo');
    await alice.page.locator(`.results button[data-handle="bob${S}"]`).waitFor();
    await h.screenshot(alice, 'directory-search');
    await alice.page.locator(`.results button[data-handle="bob${S}"]`).click();
    await alice.page.getByRole('heading', {name: 'Bob Baker'}).waitFor();
    await h.screenshot(alice, 'profile');
    await alice.page.getByRole('button', {name: 'Message'}).click();
    await alice.page.locator('section.chat-view[data-loaded="true"]').waitFor();
    await send(alice, 'Hi Bob! Lunch at noon?');

    // Bob, without reloading: the list shows it with an unread badge; he opens it.
    const item = bob.page.locator('.conversations a.conversation-link', {hasText: 'Alice Archer'});
    await item.filter({hasText: 'Hi Bob! Lunch at noon?'}).waitFor();
    await item.locator('.unread', {hasText: '1'}).waitFor();
    await h.screenshot(bob, 'phone-conversation-list');
    await openConversation(bob, 'Alice Archer');
    const original = message(bob, 'Hi Bob! Lunch at noon?');
    await original.waitFor();

    // Typing reaches alice.
    await bob.page.getByRole('textbox', {name: 'Message'}).pressSequentially('Sure');
    await alice.page.locator('.typing', {hasText: 'Bob Baker is typing'}).waitFor();

    // Bob replies to the message and reacts to it.
    await original.getByRole('button', {name: 'Reply'}).click();
    await bob.page.getByRole('textbox', {name: 'Message'}).fill('Sure, see you there');
    await bob.page.getByRole('textbox', {name: 'Message'}).press('Enter');
    await message(bob, 'Sure, see you there').waitFor();
    await original.getByRole('button', {name: 'React'}).click();
    await bob.page.getByRole('button', {name: 'React with 👍'}).click();
    await original.getByRole('button', {name: /👍 1/}).waitFor();
    await h.screenshot(bob, 'phone-conversation');

    // Alice sees the reply (quoting her message), the reaction and the read mark.
    const reply = message(alice, 'Sure, see you there');
    await reply.waitFor();
    await reply.locator('blockquote.reply-to', {hasText: 'Hi Bob! Lunch at noon?'}).waitFor();
    const mine = message(alice, 'Hi Bob! Lunch at noon?');
    await mine.getByRole('button', {name: /👍 1/}).waitFor();
    await mine.locator('article').hover();
    await mine.getByRole('button', {name: 'React'}).click();
    await alice.page.getByRole('dialog', {name: 'React to message'}).waitFor();
    await alice.page.keyboard.press('Escape');
    await alice.page.getByRole('dialog').waitFor({state: 'detached'});
    await mine.locator('.status[data-read="true"]', {hasText: 'Read'}).waitFor();
    await h.screenshot(alice, 'desktop-conversation');

    // Edit and delete her own messages.
    await send(alice, 'Bring the mpas');
    const typo = message(alice, 'Bring the mpas');
    await typo.locator('article').hover();
    await typo.getByRole('button', {name: 'Edit'}).click();
    const box = alice.page.getByRole('textbox', {name: 'Message'});
    await box.fill('Bring the maps');
    await box.press('Enter');
    await message(bob, 'Bring the maps').locator('.edited').waitFor();
    await message(alice, 'Bring the maps').locator('article').hover();
    await message(alice, 'Bring the maps').getByRole('button', {name: 'Delete'}).click();
    await alice.page.getByRole('dialog').getByRole('button', {name: 'Delete'}).click();
    await bob.page.locator('li.message .deleted', {hasText: 'This message was deleted.'}).waitFor();

    // The session survives a reload.
    await alice.page.reload();
    await live(alice);
    await message(alice, 'Sure, see you there').waitFor();
    // Bob's read mark comes back from the server after the reload, not from a live event.
    await message(alice, 'Hi Bob! Lunch at noon?').locator('.status[data-read="true"]', {hasText: 'Read'}).waitFor();
  }],

  ['a group with bob and carol; carol\'s image shows for alice and bob', async () => {
    const {alice, bob} = cast;
    const carol = cast.carol = await h.person('carol', DESKTOP);
    await signUp(carol, `carol${S}`, 'Carol Chen');

    await alice.page.getByRole('link', {name: 'New group'}).click();
    await alice.page.getByLabel('Group name').fill('Weekend trip');
    for (const handle of [`bob${S}`, `carol${S}`]) {
      await alice.page.getByLabel('Add members').fill(handle);
      await alice.page.locator(`.results button[data-handle="${handle}"]`).click();
      await alice.page.locator(`.chip[data-handle="${handle}"]`).waitFor();
    }
    await h.screenshot(alice, 'new-group');
    await alice.page.getByRole('button', {name: 'Create group'}).click();
    await alice.page.locator('section.chat-view[data-loaded="true"]').waitFor();
    await send(alice, 'Welcome to the trip');

    await openConversation(carol, 'Weekend trip');
    await carol.page.getByLabel('Attach files').setInputFiles({name: 'map.png', mimeType: 'image/png', buffer: tinyPng()});
    await carol.page.locator('li.message.mine img.image').waitFor();

    await openConversation(bob, 'Weekend trip');
    for (const person of [alice, bob]) {
      const img = person.page.locator('li.message img[alt="Image from Carol Chen"]');
      await img.waitFor();
      await until(person, (el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
    }
    await h.screenshot(alice, 'group-with-image');
    await h.screenshot(bob, 'phone-group-with-image');

    // Rename: everyone sees the new title.
    await alice.page.getByRole('link', {name: 'Group info'}).click();
    await alice.page.getByLabel('Group name').fill('Weekend trip to the lake');
    await alice.page.getByRole('button', {name: 'Rename'}).click();
    await alice.page.getByRole('heading', {name: 'Weekend trip to the lake'}).waitFor();
    await h.screenshot(alice, 'group-info');
    await carol.page.locator('#conversation-title', {hasText: 'Weekend trip to the lake'}).waitFor();

    // Remove carol (her view says so at once), add her back, and bob leaves.
    await alice.page.getByRole('button', {name: 'Remove Carol Chen'}).click();
    await carol.page.getByText('You are no longer a member of this conversation.').waitFor();
    await carol.page.locator('.conversations a.conversation-link', {hasText: 'Weekend trip'}).waitFor({state: 'detached'});
    await alice.page.getByLabel('Add a member').fill(`carol${S}`);
    await alice.page.locator(`.results button[data-handle="carol${S}"]`).click();
    await alice.page.locator(`.members li[data-handle="carol${S}"]`).waitFor();
    await carol.page.locator('.conversations a.conversation-link', {hasText: 'Weekend trip to the lake'}).waitFor();
    await bob.page.getByRole('link', {name: 'Group info'}).click();
    await bob.page.getByRole('button', {name: 'Leave group'}).click();
    await bob.page.getByRole('dialog').getByRole('button', {name: 'Leave'}).click();
    await bob.page.locator('.conversations a.conversation-link', {hasText: 'Weekend trip'}).waitFor({state: 'detached'});
    await alice.page.locator(`.members li[data-handle="bob${S}"]`).waitFor({state: 'detached'});
    await alice.page.getByRole('heading', {name: 'Members (2)'}).waitFor();
  }],

  ['bob offline while alice sends 3 messages: back online he sees all 3 once, in order', async () => {
    const {alice, bob} = cast;
    await openConversation(alice, 'Bob Baker');
    await openConversation(bob, 'Alice Archer');
    const seen = bob.frames.length;
    await bob.context.setOffline(true);
    await bob.page.locator('[data-connection="reconnecting"]').waitFor();
    await h.screenshot(bob, 'phone-reconnecting');
    for (const text of ['Missed one', 'Missed two', 'Missed three']) await send(alice, text);
    await bob.context.setOffline(false);
    await live(bob);
    await message(bob, 'Missed three').waitFor();
    const texts = await bob.page.locator('li.message p.text').allTextContents();
    const missed = texts.filter((t) => t.startsWith('Missed '));
    check(JSON.stringify(missed) === JSON.stringify(['Missed one', 'Missed two', 'Missed three']),
      `bob sees the missed messages once, in order: ${JSON.stringify(missed)}`);
    await h.screenshot(bob, 'phone-after-reconnect');

    // It came back over the stream: a new auth frame with the cursor it had, then the missed updates.
    const later = bob.frames.slice(seen);
    const auth = later.findIndex((f) => f.sent && f.frame.type === 'auth');
    check(auth >= 0 && typeof later[auth].frame.since === 'string', 'bob resumed with since');
    const replayed = later.slice(auth).filter((f) => !f.sent && f.frame.type === 'message.created').map((f) => f.frame.data.text);
    check(JSON.stringify(replayed) === JSON.stringify(['Missed one', 'Missed two', 'Missed three']),
      `the stream replayed what bob missed: ${JSON.stringify(replayed)}`);
  }],

  ['a long history loads older messages on scroll; a location shows its coordinates', async () => {
    const erin = await h.person('erin', DESKTOP);
    await signUp(erin, `erin${S}`, 'Erin Ellis');
    await api(baseUrl, 'POST', '/api/v1/accounts', null,
      {handle: `frank${S}`, displayName: 'Frank Fisher', password: 'correct horse battery', kind: 'business'});
    const {token} = await api(baseUrl, 'POST', '/api/v1/sessions', null, {handle: `frank${S}`, password: 'correct horse battery'});
    const c = await api(baseUrl, 'POST', '/api/v1/conversations', token, {kind: 'direct', with: `erin${S}`});
    for (let i = 1; i <= 120; i++) {
      await api(baseUrl, 'PUT', `/api/v1/conversations/${c.id}/messages/history-${i}`, token, {text: `Entry number ${i}`});
    }
    await api(baseUrl, 'PUT', `/api/v1/conversations/${c.id}/messages/where`, token,
      {location: {latitude: 52.520008, longitude: 13.404954, title: 'Our shop'}});
    const upload = await fetch(`${baseUrl}/api/v1/media`, {method: 'POST', body: 'Opening hours: 9 to 5\n',
      headers: {Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain'}});
    check(upload.status === 201, `text upload: ${upload.status}`);
    const {mediaId} = await upload.json();
    await api(baseUrl, 'PUT', `/api/v1/conversations/${c.id}/messages/hours`, token, {attachments: [mediaId]});

    await openConversation(erin, 'Frank Fisher');
    await erin.page.locator('li.message .location', {hasText: '52.52001, 13.40495'}).waitFor();
    // A file that is not an image is offered as a download, with its bytes.
    const [file] = await Promise.all([
      erin.page.waitForEvent('download'),
      erin.page.getByRole('button', {name: /Download file \(text\/plain/}).click(),
    ]);
    const saved = await file.path();
    check((await readFile(saved, 'utf8')) === 'Opening hours: 9 to 5\n', 'the download has the bytes sent');
    await h.screenshot(erin, 'location-and-file');
    check(!(await message(erin, /^Entry number 1$/).count()), 'only the newest page at first');
    // Scrolled to the top, older pages arrive until the first message.
    const scroller = erin.page.locator('.messages');
    for (let i = 0; i < 5 && !(await message(erin, /^Entry number 1$/).count()); i++) {
      const before = await erin.page.locator('li.message').count();
      await scroller.evaluate((el) => { el.scrollTop = 0; });
      await until(erin, (n) => document.querySelectorAll('li.message').length > n || !!document.querySelector('.older[hidden]'), before);
    }
    await message(erin, /^Entry number 1$/).waitFor({state: 'attached'});
    const seqs = await erin.page.locator('li.message').evaluateAll((els) => els.map((el) => Number(el.dataset.seq)));
    check(seqs.length === 122 && seqs.every((s, i) => s === i + 1), `all 122 messages once, in order (${seqs.length})`);

    // Businesses are marked in the directory and on their profile.
    await erin.page.getByLabel('Search people and companies').pressSequentially('fran');
    await erin.page.locator(`.results button[data-handle="frank${S}"] .badge`, {hasText: 'Business'}).waitFor();
    await erin.page.locator(`.results button[data-handle="frank${S}"]`).click();
    await erin.page.locator('.profile .badge', {hasText: 'Business'}).waitFor();
  }],
];

await h.runScenarios(scenarios);
