// The call history (#/calls): who, incoming or outgoing, how it went, when, how long; call back.

import {errorBox, fullTime, h, replace, shortTime} from '../dom.js';
import {elapsed, startCall} from './call.js';
import {initials} from './conversations.js';
import {backLink} from './profile.js';

const PAGE = 50;

/** How a call went, as this account sees it. */
export function outcome(c, outgoing) {
  switch (c.state) {
    case 'ringing': return outgoing ? 'Ringing' : 'Ringing now';
    case 'answered': return 'In progress';
    case 'ended': return 'Answered';
    case 'declined': return 'Declined';
    case 'busy': return 'Busy';
    case 'missed': return outgoing ? 'No answer' : 'Missed';
    case 'cancelled': return outgoing ? 'Cancelled' : 'Missed';
    default: return c.state;
  }
}

export function mount(el, ctx) {
  const error = errorBox();
  const list = h('ul', {class: 'call-history', 'aria-labelledby': 'calls-title'});
  const empty = h('p', {class: 'empty', hidden: true}, 'No calls yet. Call someone from their profile or a conversation.');
  const older = h('button', {type: 'button', class: 'quiet older', hidden: true}, 'Load older calls');
  const section = h('section', {class: 'calls-view', 'aria-labelledby': 'calls-title', 'aria-busy': 'true'},
    backLink(), h('h2', {id: 'calls-title'}, 'Calls'), error.el, empty, list, older);
  el.append(section);
  document.title = 'Calls · Switchboard';

  let shown = []; // the calls listed, newest first
  let gone = false;
  let asked = 0;

  function row(c) {
    const me = ctx.api.me.handle;
    const outgoing = c.from.handle === me;
    const peer = outgoing ? c.to : c.from;
    const who = peer.displayName || peer.handle;
    const how = outcome(c, outgoing);
    const missed = !outgoing && how === 'Missed';
    const duration = c.answeredAt && c.endedAt ? elapsed(Date.parse(c.endedAt) - Date.parse(c.answeredAt)) : null;
    return h('li', {class: 'call-row', dataset: {call: c.id, state: c.state, direction: outgoing ? 'outgoing' : 'incoming'}},
      h('span', {class: 'avatar', 'aria-hidden': 'true'}, initials(who)),
      h('span', {class: 'summary'},
        h('a', {class: 'title', href: `#/u/${encodeURIComponent(peer.handle)}`}, who),
        h('span', {class: `outcome${missed ? ' missed' : ''}`},
          h('span', {'aria-hidden': 'true'}, outgoing ? '↗ ' : '↙ '),
          `${outgoing ? 'Outgoing' : 'Incoming'}${c.video ? ' video' : ''} call · ${how}`,
          duration ? h('span', {class: 'duration'}, ` · ${duration}`) : null)),
      h('span', {class: 'meta'},
        h('time', {datetime: c.startedAt, title: fullTime(c.startedAt)}, shortTime(c.startedAt))),
      h('button', {type: 'button', class: 'quiet', 'data-testid': 'call-back', 'aria-label': `Call ${who} back`,
        onclick: () => startCall(ctx, peer, false)}, 'Call back'));
  }

  function render() {
    replace(list, shown.map(row));
    empty.hidden = shown.length > 0;
    section.removeAttribute('aria-busy');
  }

  /** The newest page again (a call was made or ended); older pages already loaded stay. */
  async function load() {
    const mine = ++asked;
    try {
      const page = await ctx.api.calls({limit: PAGE});
      if (gone || mine !== asked) return;
      // Older pages loaded before stay below the fresh first page.
      const fresh = new Set(page.map((c) => c.id));
      const oldest = page.length ? Date.parse(page[page.length - 1].startedAt) : 0;
      const below = shown.filter((c) => !fresh.has(c.id) && Date.parse(c.startedAt) < oldest);
      shown = [...page, ...below];
      if (!below.length) older.hidden = page.length < PAGE;
      error.clear();
      render();
    } catch (e) {
      if (!gone) error.show(e.status === 404 ? 'Calls are not available on this server.' : e);
      section.removeAttribute('aria-busy');
    }
  }

  async function loadOlder() {
    if (!shown.length) return;
    older.disabled = true;
    try {
      const page = await ctx.api.calls({before: shown[shown.length - 1].id, limit: PAGE});
      if (gone) return;
      const known = new Set(shown.map((c) => c.id));
      shown = [...shown, ...page.filter((c) => !known.has(c.id))];
      older.hidden = page.length < PAGE;
      render();
    } catch (e) {
      error.show(e);
    } finally {
      older.disabled = false;
    }
  }

  older.addEventListener('click', loadOlder);
  const onHistory = () => load();
  ctx.calls.addEventListener('history', onHistory);
  ctx.stream.addEventListener('ready', onHistory);
  load();
  return () => {
    gone = true;
    ctx.calls.removeEventListener('history', onHistory);
    ctx.stream.removeEventListener('ready', onHistory);
  };
}
