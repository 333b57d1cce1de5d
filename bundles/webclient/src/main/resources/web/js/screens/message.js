// One message in a conversation: sender, reply quote, text, attachments, location, reactions, time,
// edited and read marks, and its actions (reply, react, edit, delete). A message that stands for a
// call (a missed call) is one small line instead.

import {formatSize, fullTime, h, openDialog, shortTime} from '../dom.js';
import {download, isImage, mediaUrl} from '../media.js';

export const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/**
 * @param {object} ctx the app context
 * @param {object} c the conversation
 * @param {object} m the message
 * @param {object} actions {reply(m), edit(m)}: what the composer does for those
 */
export function renderMessage(ctx, c, m, actions) {
  const me = ctx.api.me.handle;
  const mine = m.sender === me;
  const senderName = displayName(c, m.sender);
  if (m.call && !m.deleted) return callLine(m, mine, senderName);
  const label = `${mine ? 'You' : senderName}, ${fullTime(m.sentAt)}`;
  const body = m.deleted
    ? [h('p', {class: 'text deleted'}, 'This message was deleted.')]
    : [
      m.replyTo ? quote(ctx, c, m.replyTo) : null,
      m.text ? h('p', {class: 'text'}, m.text) : null,
      m.attachments && m.attachments.length ? h('div', {class: 'attachments'}, m.attachments.map((a) => attachment(ctx, a, senderName))) : null,
      m.location ? location(m.location) : null,
    ];
  return h('li', {class: `message ${mine ? 'mine' : 'theirs'}`, dataset: {seq: String(m.seq), id: m.id}},
    h('article', {'aria-label': label},
      c.kind === 'group' && !mine ? h('p', {class: 'sender'}, senderName) : null,
      body,
      m.reactions && m.reactions.length && !m.deleted ? reactions(ctx, c, m) : null,
      h('p', {class: 'footer'},
        h('time', {datetime: m.sentAt, title: fullTime(m.sentAt)}, shortTime(m.sentAt)),
        m.editedAt && !m.deleted ? h('span', {class: 'edited'}, ' · edited') : null,
        mine ? h('span', {class: 'status'}, '') : null),
      m.deleted ? null : toolbar(ctx, c, m, mine, actions)));
}

/** "Missed call" / "Missed video call" with a phone and the time, centred, without a bubble. */
function callLine(m, mine, senderName) {
  const kind = m.call.video ? 'video call' : 'call';
  const what = m.call.outcome === 'missed' ? `Missed ${kind}` : kind[0].toUpperCase() + kind.slice(1);
  return h('li', {class: `message call-message ${mine ? 'mine' : 'theirs'}`, dataset: {seq: String(m.seq), id: m.id}},
    h('article', {
      class: 'call-note',
      dataset: {outcome: m.call.outcome, video: String(!!m.call.video)},
      'aria-label': `${what} from ${mine ? 'you' : senderName}, ${fullTime(m.sentAt)}`,
    },
    h('span', {class: 'call-icon', 'aria-hidden': 'true'}, '📞'),
    h('span', {class: 'what'}, what),
    h('time', {datetime: m.sentAt, title: fullTime(m.sentAt)}, shortTime(m.sentAt))));
}

/** Sets "Sent"/"Read" on my message, given how far the others have read. */
export function markStatus(li, readByOthers) {
  const status = li.querySelector('.status');
  if (!status) return;
  const read = Number(li.dataset.seq) <= readByOthers;
  status.textContent = read ? ' · Read' : ' · Sent';
  status.dataset.read = String(read);
}

function displayName(c, handle) {
  const member = (c.members || []).find((mm) => mm.handle === handle);
  return member ? member.displayName || handle : handle;
}

function quote(ctx, c, replyTo) {
  const seq = Number(String(replyTo).split('.').pop());
  const original = ctx.chat.messagesOf(c.id).find((x) => x.seq === seq);
  const text = !original ? 'an earlier message' : original.deleted ? 'a deleted message'
    : original.text || (original.attachments && original.attachments.length ? 'an attachment' : 'a location');
  return h('blockquote', {class: 'reply-to'},
    h('span', {class: 'sender'}, original ? displayName(c, original.sender) : 'Reply'), ' ', text);
}

function attachment(ctx, a, senderName) {
  if (isImage(a)) {
    const img = h('img', {alt: `Image from ${senderName}`, class: 'image', hidden: true});
    const status = h('span', {class: 'hint'}, 'Loading image…');
    mediaUrl(ctx.api, a.mediaId).then((url) => {
      img.src = url;
      img.hidden = false;
      status.remove();
    }, (e) => {
      status.textContent = `The image cannot be shown: ${e.message}`;
    });
    return h('figure', {class: 'attachment', dataset: {media: a.mediaId}}, img, status);
  }
  return h('div', {class: 'attachment file', dataset: {media: a.mediaId}},
    h('button', {
      type: 'button',
      class: 'quiet',
      onclick: () => download(ctx.api, a).catch((e) => ctx.notify(e.message)),
    }, `⬇ Download file (${a.contentType}, ${formatSize(a.size)})`));
}

function location(loc) {
  const coords = `${Number(loc.latitude).toFixed(5)}, ${Number(loc.longitude).toFixed(5)}`;
  return h('p', {class: 'location'}, '📍 ', loc.title ? `${loc.title} — ` : '', h('span', {class: 'coords'}, coords));
}

function reactions(ctx, c, m) {
  const me = ctx.api.me.handle;
  return h('ul', {class: 'reactions', 'aria-label': 'Reactions'}, m.reactions.map((r) => {
    const mineToo = (r.handles || []).includes(me);
    return h('li', {}, h('button', {
      type: 'button',
      class: 'reaction',
      'aria-pressed': String(mineToo),
      'aria-label': `${r.emoji} ${r.count}: ${(r.handles || []).join(', ')}`,
      title: (r.handles || []).join(', '),
      onclick: () => react(ctx, c, m, r.emoji),
    }, `${r.emoji} ${r.count}`));
  }));
}

async function react(ctx, c, m, emoji) {
  try {
    const updated = await ctx.api.react(c.id, m.id, emoji);
    ctx.chat.store(updated);
  } catch (e) {
    ctx.notify(e.message);
  }
}

function toolbar(ctx, c, m, mine, actions) {
  const canDelete = mine || (c.kind === 'group' && ['owner', 'admin'].includes(ctx.chat.myRole(c)));
  return h('div', {class: 'message-actions', role: 'group', 'aria-label': 'Message actions'},
    h('button', {type: 'button', class: 'quiet', onclick: () => actions.reply(m)}, 'Reply'),
    h('button', {type: 'button', class: 'quiet', onclick: () => pickReaction(ctx, c, m)}, 'React'),
    mine && m.text ? h('button', {type: 'button', class: 'quiet', onclick: () => actions.edit(m)}, 'Edit') : null,
    canDelete ? h('button', {type: 'button', class: 'quiet danger', onclick: () => confirmDelete(ctx, c, m)}, 'Delete') : null);
}

function pickReaction(ctx, c, m) {
  openDialog('React to message', (close) => h('div', {class: 'emoji-picker'},
    EMOJI.map((emoji) => h('button', {
      type: 'button',
      class: 'emoji',
      'aria-label': `React with ${emoji}`,
      onclick: () => {
        close();
        react(ctx, c, m, emoji);
      },
    }, emoji)),
    h('button', {type: 'button', class: 'quiet', onclick: close}, 'Cancel')));
}

function confirmDelete(ctx, c, m) {
  openDialog('Delete this message for everyone?', (close) => h('div', {class: 'dialog-actions'},
    h('button', {type: 'button', class: 'quiet', onclick: close}, 'Cancel'),
    h('button', {
      type: 'button',
      class: 'danger',
      onclick: async () => {
        close();
        try {
          await ctx.api.deleteMessage(c.id, m.id);
          ctx.chat.store({...m, deleted: true, text: null, attachments: [], location: null});
        } catch (e) {
          ctx.notify(e.message);
        }
      },
    }, 'Delete')));
}
