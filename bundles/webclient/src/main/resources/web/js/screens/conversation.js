// A conversation: header, history (older pages load when scrolled to the top), live messages,
// typing indicator, read marks, and the composer.

import {errorBox, h} from '../dom.js';
import {startCall} from './call.js';
import {composer} from './composer.js';
import {markStatus, renderMessage} from './message.js';
import {backLink} from './profile.js';

const TYPING_SHOWN_MS = 4000;
const NEAR_TOP_PX = 80;
const NEAR_BOTTOM_PX = 120;

export function mount(el, ctx, {conversationId}) {
  const chat = ctx.chat;
  const error = errorBox();
  const title = h('h2', {id: 'conversation-title'}, '…');
  const subtitle = h('p', {class: 'subtitle'});
  const infoLink = h('a', {class: 'button quiet', hidden: true}, 'Details');
  // A direct conversation can become a call. On phones only the icon shows; the button keeps its name.
  const callButtons = [false, true].map((video) => h('button', {
    type: 'button',
    class: 'quiet call-button',
    hidden: true,
    title: video ? 'Video call' : 'Call',
    'aria-label': video ? 'Video call' : 'Call',
    'data-testid': video ? 'video-call-start' : 'call-start',
    onclick: () => callOther(video),
  }, h('span', {'aria-hidden': 'true'}, video ? '🎥' : '📞'),
  h('span', {class: 'label', 'aria-hidden': 'true'}, video ? 'Video call' : 'Call')));
  const older = h('button', {type: 'button', class: 'quiet older', hidden: true}, 'Load older messages');
  const list = h('ol', {class: 'message-list'});
  const scroller = h('div', {class: 'messages', role: 'log', 'aria-labelledby': 'conversation-title', tabindex: '0'},
    older, list);
  const typingLine = h('p', {class: 'typing', 'aria-live': 'polite'});
  const compose = composer(ctx, conversationId);
  const section = h('section', {class: 'chat-view', 'aria-labelledby': 'conversation-title'},
    h('header', {class: 'conversation-head'}, backLink(), h('div', {class: 'heading'}, title, subtitle), callButtons, infoLink),
    error.el, scroller, typingLine, compose.el);
  el.append(section);

  const rows = new Map(); // seq → <li>
  const typists = new Map(); // handle → timer
  let conversation = null;
  let loadingOlder = false;
  const actions = {reply: (m) => compose.reply(m), edit: (m) => compose.edit(m)};

  function showHeader(c) {
    conversation = c;
    title.textContent = chat.title(c);
    document.title = `${chat.title(c)} · Switchboard`;
    const names = (c.members || []).map((m) => (m.handle === ctx.api.me.handle ? 'you' : m.displayName || m.handle));
    if (c.kind === 'group') {
      subtitle.textContent = `${names.length} members: ${names.join(', ')}`;
      infoLink.href = `#/c/${encodeURIComponent(c.id)}/info`;
      infoLink.textContent = 'Group info';
    } else {
      const other = chat.other(c);
      subtitle.textContent = other ? `@${other.handle}` : '';
      for (const button of callButtons) button.hidden = !other;
      if (other) infoLink.href = `#/u/${encodeURIComponent(other.handle)}`;
      infoLink.textContent = 'Profile';
    }
    infoLink.hidden = !infoLink.href;
  }

  function callOther(video) {
    const other = conversation && chat.other(conversation);
    if (other) startCall(ctx, other, video);
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToEnd() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  /** Puts a message in place (by seq), replacing its older version. */
  function place(m) {
    const row = renderMessage(ctx, conversation, m, actions);
    markStatus(row, chat.readByOthers(conversationId));
    const known = rows.get(m.seq);
    rows.set(m.seq, row);
    if (known) {
      known.replaceWith(row);
      return;
    }
    const after = [...rows.keys()].filter((s) => s > m.seq).sort((a, b) => a - b)[0];
    if (after !== undefined && rows.get(after).isConnected) list.insertBefore(row, rows.get(after));
    else list.append(row);
  }

  function showOlderButton() {
    older.hidden = !chat.hasOlder(conversationId);
  }

  async function loadOlder() {
    if (loadingOlder || !chat.hasOlder(conversationId)) return;
    loadingOlder = true;
    older.disabled = true;
    const before = scroller.scrollHeight;
    try {
      const page = await chat.loadOlder(conversationId);
      // Keep the messages on screen where they were while older ones appear above.
      if (page.length) scroller.scrollTop += scroller.scrollHeight - before;
    } catch (e) {
      error.show(e);
    } finally {
      loadingOlder = false;
      older.disabled = false;
      showOlderButton();
    }
  }

  function showTyping() {
    const names = [...typists.keys()].map((handle) => {
      const member = conversation && (conversation.members || []).find((m) => m.handle === handle);
      return member && member.displayName ? member.displayName : handle;
    });
    typingLine.textContent = !names.length ? ''
      : names.length === 1 ? `${names[0]} is typing…` : `${names.join(', ')} are typing…`;
  }

  const onMessage = (e) => {
    if (e.detail.conversationId !== conversationId || !conversation) return;
    const stick = nearBottom() || e.detail.message.sender === ctx.api.me.handle;
    const isNew = !rows.has(e.detail.message.seq);
    place(e.detail.message);
    const sender = e.detail.message.sender;
    if (typists.has(sender)) {
      clearTimeout(typists.get(sender));
      typists.delete(sender);
      showTyping();
    }
    if (isNew && stick) scrollToEnd();
  };
  const onRead = (e) => {
    if (e.detail.conversationId !== conversationId) return;
    const upTo = chat.readByOthers(conversationId);
    for (const row of rows.values()) markStatus(row, upTo);
  };
  const onTyping = (e) => {
    if (e.detail.conversationId !== conversationId) return;
    const handle = e.detail.handle;
    clearTimeout(typists.get(handle));
    typists.set(handle, setTimeout(() => {
      typists.delete(handle);
      showTyping();
    }, TYPING_SHOWN_MS));
    showTyping();
  };
  const onConversation = (e) => {
    if (e.detail.conversation.id === conversationId) showHeader(e.detail.conversation);
  };
  const onLeft = (e) => {
    if (e.detail.conversationId === conversationId) compose.disable('You are no longer a member of this conversation.');
  };
  // After a reconnection: what was missed has arrived over the stream; the newest page fills any rest.
  const onReady = () => {
    if (conversation) chat.loadLatest(conversationId).then(() => chat.markRead(conversationId)).catch(() => {});
  };
  // An image that finishes loading in the newest message pushes the end down: follow it.
  const onImageLoad = (e) => {
    if (e.target.tagName === 'IMG' && e.target.closest('li') === list.lastElementChild) scrollToEnd();
  };
  const onScroll = () => {
    if (scroller.scrollTop < NEAR_TOP_PX) loadOlder();
  };

  const listeners = [[chat, 'message', onMessage], [chat, 'read', onRead], [chat, 'typing', onTyping],
    [chat, 'conversation', onConversation], [chat, 'left', onLeft], [ctx.stream, 'ready', onReady]];
  for (const [target, name, fn] of listeners) target.addEventListener(name, fn);
  scroller.addEventListener('scroll', onScroll, {passive: true});
  scroller.addEventListener('load', onImageLoad, true);
  older.addEventListener('click', loadOlder);
  chat.visible = conversationId;

  (async () => {
    try {
      showHeader(await chat.conversation(conversationId));
      await chat.loadLatest(conversationId);
      if (chat.visible !== conversationId) return;
      for (const m of chat.messagesOf(conversationId)) place(m);
      showOlderButton();
      scrollToEnd();
      // On a phone the keyboard would cover the history; there the person taps the field.
      if (matchMedia('(min-width: 700px)').matches) compose.focus();
      section.dataset.loaded = 'true';
      chat.markRead(conversationId);
    } catch (e) {
      error.show(e.status === 404 ? 'This conversation does not exist or you are not a member.' : e);
      compose.disable('');
    }
  })();

  return () => {
    if (chat.visible === conversationId) chat.visible = null;
    for (const timer of typists.values()) clearTimeout(timer);
    for (const [target, name, fn] of listeners) target.removeEventListener(name, fn);
    document.title = 'Switchboard';
  };
}
