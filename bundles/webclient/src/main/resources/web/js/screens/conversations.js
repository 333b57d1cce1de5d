// The sidebar: directory search, "Calls", "Telephony" (business accounts), "SIP phones" (people and
// businesses), "New group", and the conversation list (last message, unread badge, most recent activity
// first). It stays mounted while the main pane changes.

import {h, replace, shortTime} from '../dom.js';
import {searchBox} from './directory.js';
import {hasPhones} from './phones.js';

let active = null;
let render = () => {};

/** Marks the open conversation in the list. */
export function highlight(conversationId) {
  active = conversationId;
  render();
}

export function mount(el, ctx) {
  const list = h('ul', {class: 'conversations', 'aria-label': 'Your conversations'});
  const empty = h('p', {class: 'empty', hidden: true}, 'No conversations yet. Search for someone to write to.');
  const search = searchBox(ctx, {
    label: 'Search people and companies',
    onPick: (p) => {
      search.clear();
      ctx.navigate(`#/u/${encodeURIComponent(p.handle)}`);
    },
    onQuery: (q) => {
      listSection.hidden = Boolean(q);
    },
  });
  const listSection = h('section', {class: 'list', 'aria-label': 'Conversations'},
    h('div', {class: 'list-head'},
      h('h2', {}, 'Chats'),
      h('span', {class: 'list-links'},
        h('a', {class: 'button quiet', href: '#/calls', 'data-testid': 'calls-link'}, 'Calls'),
        ctx.api.me.kind === 'business'
          ? h('a', {class: 'button quiet', href: '#/telephony', 'data-testid': 'telephony-link'}, 'Telephony') : null,
        hasPhones(ctx.api.me) ? h('a', {class: 'button quiet', href: '#/phones', 'data-testid': 'phones-link'}, 'SIP phones') : null,
        h('a', {class: 'button quiet', href: '#/new-group'}, 'New group'))),
    empty, list);

  const chat = ctx.chat;
  render = () => {
    const all = chat.list();
    empty.hidden = all.length > 0;
    // Redrawn whole on each change; keep the keyboard focus on the same conversation.
    const focused = list.contains(document.activeElement) ? document.activeElement.closest('li').dataset.conversation : null;
    replace(list, all.map((c) => item(ctx, c)));
    if (focused) list.querySelector(`li[data-conversation="${CSS.escape(focused)}"] a`)?.focus();
  };
  const onChange = () => render();
  chat.addEventListener('conversations', onChange);
  el.append(search.el, listSection);
  render();
  return () => {
    chat.removeEventListener('conversations', onChange);
    render = () => {};
  };
}

function item(ctx, c) {
  const title = ctx.chat.title(c);
  const unread = c.unread || 0;
  const last = c.lastMessage;
  return h('li', {dataset: {conversation: c.id}},
    h('a', {href: `#/c/${encodeURIComponent(c.id)}`, class: 'conversation-link', 'aria-current': c.id === active ? 'page' : null},
      h('span', {class: 'avatar', 'aria-hidden': 'true'}, initials(title)),
      h('span', {class: 'summary'},
        h('span', {class: 'title'}, title, c.kind === 'group' ? h('span', {class: 'badge'}, 'Group') : null),
        h('span', {class: 'preview'}, last ? preview(ctx, c, last) : 'No messages yet')),
      h('span', {class: 'meta'},
        last ? h('time', {datetime: last.sentAt}, shortTime(last.sentAt)) : null,
        unread ? h('span', {class: 'unread', 'aria-label': `${unread} unread`}, String(unread)) : null)));
}

/** One line about a message: who (in groups, or "You") and what. */
export function preview(ctx, c, m) {
  let what = m.text;
  if (m.deleted) what = 'Message deleted';
  else if (!what && m.attachments && m.attachments.length) what = m.attachments[0].contentType.startsWith('image/') ? '📷 Photo' : '📎 File';
  else if (!what && m.location) what = '📍 Location';
  else if (!what && m.call) what = m.call.video ? '📞 Missed video call' : '📞 Missed call';
  const member = (c.members || []).find((x) => x.handle === m.sender);
  const name = member && member.displayName ? member.displayName.split(' ')[0] : m.sender;
  const who = m.sender === ctx.api.me.handle ? 'You: ' : c.kind === 'group' ? `${name}: ` : '';
  return who + (what || '');
}

export function initials(name) {
  const parts = String(name).trim().split(/\s+/).filter(Boolean);
  return (parts.length > 1 ? parts[0][0] + parts[1][0] : (parts[0] || '?').slice(0, 2)).toUpperCase();
}
