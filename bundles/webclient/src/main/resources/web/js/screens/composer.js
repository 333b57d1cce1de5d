// The composer under a conversation: text (Enter sends, Shift+Enter is a new line), replies and
// edits, attachments uploaded with progress, and locations.

import {newClientMsgId} from '../api.js';
import {errorBox, field, h, openDialog, throttle, uid} from '../dom.js';

const TYPING_EVERY_MS = 3000;

/** @returns {{el, reply(m), edit(m), disable(reason)}} */
export function composer(ctx, conversationId) {
  const textId = uid('text');
  const fileId = uid('file');
  const text = h('textarea', {id: textId, rows: '1', maxlength: '4096', placeholder: 'Write a message',
    'aria-describedby': `${textId}-help`});
  const help = h('span', {id: `${textId}-help`, class: 'sr-only'}, 'Enter sends, Shift+Enter starts a new line.');
  const file = h('input', {id: fileId, type: 'file', multiple: true, class: 'sr-only'});
  const mode = h('div', {class: 'compose-mode', hidden: true});
  const uploads = h('ul', {class: 'uploads', 'aria-label': 'Uploads'});
  const send = h('button', {type: 'submit', class: 'primary'}, 'Send');
  const form = h('form', {class: 'composer', 'aria-label': 'Write a message'},
    mode,
    uploads,
    h('div', {class: 'compose-row'},
      h('label', {class: 'button quiet attach', for: fileId, title: 'Attach files'},
        h('span', {class: 'icon icon-attach', 'aria-hidden': 'true'}), h('span', {class: 'sr-only'}, 'Attach files')),
      file,
      h('button', {type: 'button', class: 'quiet', 'aria-label': 'Send a location', title: 'Send a location',
        onclick: () => askLocation()}, h('span', {class: 'icon icon-location', 'aria-hidden': 'true'})),
      h('label', {for: textId, class: 'sr-only'}, 'Message'),
      text, help, send));

  let replyTo = null; // the message being answered
  let editing = null; // the message being edited
  // A send that failed keeps its id: sending the same text again cannot make a second message.
  let unsent = null;

  const typing = throttle(() => ctx.stream && ctx.stream.send({type: 'typing', conversationId}), TYPING_EVERY_MS);

  function showMode() {
    const target = editing || replyTo;
    mode.hidden = !target;
    if (!target) {
      mode.replaceChildren();
      return;
    }
    const what = target.text || (target.attachments && target.attachments.length ? 'an attachment' : 'a location');
    mode.replaceChildren(
      h('span', {}, editing ? 'Editing: ' : `Replying to ${target.sender}: `, h('q', {}, what)),
      h('button', {type: 'button', class: 'quiet', onclick: () => reset(), 'aria-label': editing ? 'Cancel editing' : 'Cancel reply'}, '✕'));
  }

  function reset() {
    if (editing) text.value = '';
    replyTo = null;
    editing = null;
    showMode();
    text.focus();
  }

  async function submit() {
    const value = text.value.trim();
    if (editing) {
      const target = editing;
      if (!value || value === target.text) {
        reset();
        return;
      }
      try {
        ctx.chat.store(await ctx.api.edit(conversationId, target.id, value));
        text.value = '';
        reset();
      } catch (e) {
        ctx.notify(e.message);
      }
      return;
    }
    if (!value) return;
    const body = {text: value};
    if (replyTo) body.replyTo = replyTo.id;
    const same = unsent && unsent.body.text === body.text && unsent.body.replyTo === body.replyTo;
    const clientMsgId = same ? unsent.clientMsgId : newClientMsgId();
    text.value = '';
    replyTo = null;
    showMode();
    await deliver(clientMsgId, body, value);
  }

  async function deliver(clientMsgId, body, restore) {
    try {
      const m = await ctx.api.send(conversationId, clientMsgId, body);
      unsent = null;
      ctx.chat.onMessage('message.created', m);
    } catch (e) {
      unsent = {clientMsgId, body};
      if (restore && !text.value) text.value = restore;
      ctx.notify(`Not sent: ${e.message}`);
    }
  }

  function askLocation() {
    openDialog('Send a location', (close) => {
      const error = errorBox();
      const lat = h('input', {type: 'number', step: 'any', min: '-90', max: '90', required: true, inputmode: 'decimal'});
      const lon = h('input', {type: 'number', step: 'any', min: '-180', max: '180', required: true, inputmode: 'decimal'});
      const title = h('input', {type: 'text', maxlength: '256'});
      const here = h('button', {type: 'button', class: 'quiet', onclick: () => {
        if (!navigator.geolocation) {
          error.show('This browser cannot tell where you are; enter the coordinates.');
          return;
        }
        navigator.geolocation.getCurrentPosition((p) => {
          lat.value = p.coords.latitude.toFixed(6);
          lon.value = p.coords.longitude.toFixed(6);
        }, () => error.show('Your position is not available; enter the coordinates.'), {timeout: 10000});
      }}, 'Use my position');
      const form = h('form', {class: 'stack'},
        field('Latitude', lat, 'From -90 to 90'), field('Longitude', lon, 'From -180 to 180'),
        field('Name of the place (optional)', title), here, error.el,
        h('div', {class: 'dialog-actions'},
          h('button', {type: 'button', class: 'quiet', onclick: close}, 'Cancel'),
          h('button', {type: 'submit', class: 'primary'}, 'Send location')));
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const latitude = Number(lat.value);
        const longitude = Number(lon.value);
        if (lat.value === '' || lon.value === '' || !(Math.abs(latitude) <= 90) || !(Math.abs(longitude) <= 180)) {
          error.show('Enter a latitude from -90 to 90 and a longitude from -180 to 180.');
          return;
        }
        close();
        const location = {latitude, longitude};
        if (title.value.trim()) location.title = title.value.trim();
        deliver(newClientMsgId(), {location});
      });
      return form;
    });
  }

  async function uploadAndSend(f) {
    const progress = h('progress', {max: '1', value: '0', 'aria-label': `Uploading ${f.name}`});
    const state = h('span', {class: 'state'}, 'Uploading…');
    const row = h('li', {class: 'upload'}, h('span', {class: 'name'}, f.name), progress, state);
    uploads.append(row);
    try {
      const media = await ctx.api.upload(f, (fraction) => {
        progress.value = fraction;
      });
      state.textContent = 'Sending…';
      const body = {attachments: [media.mediaId]};
      if (replyTo) body.replyTo = replyTo.id;
      await deliver(newClientMsgId(), body);
      row.remove();
    } catch (e) {
      progress.remove();
      row.classList.add('failed');
      state.setAttribute('role', 'alert');
      state.textContent = `Not sent: ${e.message}`;
      row.append(h('button', {type: 'button', class: 'quiet', 'aria-label': `Dismiss ${f.name}`, onclick: () => row.remove()}, '✕'));
    }
  }

  file.addEventListener('change', () => {
    const files = [...file.files];
    file.value = '';
    files.forEach((f) => uploadAndSend(f));
  });
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && (editing || replyTo)) {
      e.preventDefault();
      reset();
    }
  });
  text.addEventListener('input', () => {
    if (text.value && !editing) typing();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });

  return {
    el: form,
    reply(m) {
      editing = null;
      replyTo = m;
      showMode();
      text.focus();
    },
    edit(m) {
      replyTo = null;
      editing = m;
      text.value = m.text || '';
      showMode();
      text.focus();
    },
    disable(reason) {
      for (const control of form.querySelectorAll('textarea, button, input')) control.disabled = true;
      mode.hidden = false;
      mode.replaceChildren(h('span', {}, reason));
    },
    focus() {
      text.focus();
    },
  };
}
