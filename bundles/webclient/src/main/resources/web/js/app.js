// The application shell: session, stream, layout and the router (location.hash → screen).
// A screen is a module exporting `mount(element, ctx, params)` that returns a cleanup function.
// The call screen is mounted once per session over everything, so a call outlives navigation.

import {Api} from './api.js';
import {CallManager} from './call.js';
import {ChatState} from './chat.js';
import {Stream} from './stream.js';
import {h, replace} from './dom.js';
import {releaseAll} from './media.js';
import * as login from './screens/login.js';
import * as signup from './screens/signup.js';
import * as conversations from './screens/conversations.js';
import * as conversation from './screens/conversation.js';
import * as group from './screens/group.js';
import * as profile from './screens/profile.js';
import * as home from './screens/home.js';
import * as calls from './screens/calls.js';
import * as telephony from './screens/telephony.js';
import * as phones from './screens/phones.js';
import * as callScreen from './screens/call.js';

// Routes of a signed-in person: [pattern, screen, names of the captured parts]. Add a screen here.
const ROUTES = [
  [/^#\/c\/([^/]+)\/info$/, group, ['conversationId']],
  [/^#\/c\/([^/]+)$/, conversation, ['conversationId']],
  [/^#\/new-group$/, group, []],
  [/^#\/u\/([^/]+)$/, profile, ['handle']],
  [/^#\/calls$/, calls, []],
  [/^#\/telephony$/, telephony, []],
  [/^#\/phones$/, phones, []],
  [/^#\/?$/, home, []],
];
const PUBLIC_ROUTES = {'#/login': login, '#/signup': signup};

const root = document.getElementById('app');
const api = new Api();
const ctx = {
  api,
  chat: null,
  calls: null,
  stream: null,
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  notify,
  /** Called by login and sign-up once a session exists. */
  signedIn: () => startSession(),
  signOut,
};

let shell = null; // {main, sidebar, cleanupSidebar, status}
let cleanupScreen = () => {};
let cleanupCallScreen = () => {};

api.onUnauthorized = () => endSession('Your session has ended. Log in again.');

function route() {
  const hash = location.hash || '#/';
  cleanupScreen();
  cleanupScreen = () => {};
  if (!api.session) {
    tearDownShell();
    const screen = PUBLIC_ROUTES[hash] || login;
    if (!PUBLIC_ROUTES[hash]) history.replaceState(null, '', '#/login');
    cleanupScreen = screen.mount(replace(root, h('div', {class: 'public'})).firstChild, ctx, {}) || (() => {});
    return;
  }
  if (PUBLIC_ROUTES[hash]) {
    history.replaceState(null, '', '#/');
    route();
    return;
  }
  buildShell();
  for (const [pattern, screen, names] of ROUTES) {
    const match = hash.match(pattern);
    if (!match) continue;
    const params = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
    shell.el.dataset.view = screen === home ? 'list' : 'detail';
    conversations.highlight(params.conversationId || null);
    cleanupScreen = screen.mount(replace(shell.main), ctx, params) || (() => {});
    shell.main.focus({preventScroll: true});
    return;
  }
  ctx.navigate('#/');
}

function buildShell() {
  if (shell) return;
  const status = h('p', {class: 'connection', role: 'status', 'data-connection': 'connecting'}, 'Connecting…');
  const main = h('main', {id: 'main', class: 'main', tabindex: '-1'});
  const sidebar = h('nav', {class: 'sidebar', 'aria-label': 'Conversations'});
  const me = api.me;
  const el = h('div', {class: 'shell', dataset: {view: 'list'}},
    h('header', {class: 'topbar'},
      h('h1', {class: 'brand'}, h('a', {href: '#/'}, 'Switchboard')),
      status,
      h('a', {class: 'me', href: `#/u/${encodeURIComponent(me.handle)}`, title: `Your profile (@${me.handle})`,
        'data-testid': 'me-link'}, me.displayName || me.handle, h('span', {class: 'handle'}, ` @${me.handle}`)),
      h('button', {type: 'button', class: 'quiet', onclick: () => signOut()}, 'Log out')),
    sidebar, main);
  replace(root, el);
  root.removeAttribute('aria-busy');
  shell = {el, main, sidebar, status, cleanupSidebar: conversations.mount(sidebar, ctx, {})};
  showConnection(ctx.stream ? ctx.stream.state : 'connecting');
}

function tearDownShell() {
  if (!shell) return;
  shell.cleanupSidebar();
  shell = null;
}

const CONNECTION_TEXT = {
  connecting: 'Connecting…',
  live: 'Online',
  reconnecting: 'Reconnecting…',
  stopped: 'Offline',
};

function showConnection(state) {
  if (!shell) return;
  shell.status.dataset.connection = state;
  shell.status.textContent = CONNECTION_TEXT[state] || state;
}

function startSession() {
  stopSession();
  const me = api.me;
  ctx.chat = new ChatState(api);
  ctx.calls = new CallManager(api, {notify});
  ctx.stream = new Stream({token: api.token, cursorKey: `switchboard.cursor.${me.id}`});
  ctx.stream.addEventListener('state', (e) => showConnection(e.detail));
  ctx.stream.addEventListener('update', (e) => ctx.chat.apply(e.detail));
  ctx.stream.addEventListener('update', (e) => ctx.calls.apply(e.detail));
  // After every (re)connection the missed updates have been applied; reloading the list also
  // settles unread counts, and an open conversation refreshes its newest page.
  ctx.stream.addEventListener('ready', () => ctx.chat.loadConversations().catch(() => {}));
  ctx.stream.addEventListener('authfailed', () => endSession('Your session has ended. Log in again.'));
  ctx.chat.loadConversations().catch((e) => notify(e.message));
  cleanupCallScreen = callScreen.mount(document.body, ctx) || (() => {});
  ctx.stream.start();
  if (!location.hash || PUBLIC_ROUTES[location.hash]) ctx.navigate('#/');
  else route();
}

function stopSession() {
  releaseAll();
  if (ctx.calls) ctx.calls.stop();
  cleanupCallScreen();
  cleanupCallScreen = () => {};
  if (ctx.stream) ctx.stream.stop();
  ctx.stream = null;
  ctx.chat = null;
  ctx.calls = null;
}

async function signOut() {
  stopSession();
  try {
    await api.logOut();
  } catch {
    // the token is gone locally either way
  }
  tearDownShell();
  ctx.navigate('#/login');
}

function endSession(message) {
  stopSession();
  api.setSession(null);
  tearDownShell();
  ctx.navigate('#/login');
  notify(message);
}

let toastTimer = null;
/** A short message at the bottom of the screen, read out by screen readers. */
function notify(message) {
  let toast = document.getElementById('toast');
  if (!toast) {
    toast = h('div', {id: 'toast', class: 'toast', role: 'alert'});
    document.body.append(toast);
  }
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 6000);
}

window.addEventListener('hashchange', route);
// Closing or reloading the page ends the call this device holds (the media goes with the page).
window.addEventListener('pagehide', () => {
  if (ctx.calls) ctx.calls.leave();
});
document.addEventListener('visibilitychange', () => {
  if (ctx.chat && ctx.chat.visible) ctx.chat.markRead(ctx.chat.visible);
});

async function boot() {
  if (api.session) {
    try {
      await api.refreshMe();
    } catch (e) {
      if (e.status === 401) api.setSession(null);
      // other failures (server briefly away): keep the session and let the stream retry
    }
  }
  if (api.session) startSession();
  else route();
}

/** For tests and debugging: the call on this page, and its RTCPeerConnection (for getStats()). */
window.switchboardCall = Object.freeze({
  get id() {
    return ctx.calls ? ctx.calls.id : null;
  },
  get state() {
    return ctx.calls ? ctx.calls.state : 'idle';
  },
  get pc() {
    return ctx.calls ? ctx.calls.pc : null;
  },
});

boot();
