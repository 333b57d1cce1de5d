// SIP phones (#/phones), for people and businesses (docs/sip-devices.md): the account's desk phones and
// softphones with their live registration (a live list, asked again every 5 s while the screen is open),
// adding one (its username and password are shown once, in a dialog) and deleting one.

import {clockTime, errorBox, field, fullTime, h, openDialog} from '../dom.js';
import {liveList} from '../live-list.js';
import {backLink} from './profile.js';

/** Who has SIP phones: not bots or channels. */
export function hasPhones(account) {
  return ['person', 'business'].includes(account.kind);
}

export function mount(el, ctx) {
  document.title = 'SIP phones · Switchboard';
  const heading = [backLink(), h('h2', {id: 'phones-title'}, 'SIP phones')];
  if (!hasPhones(ctx.api.me)) {
    el.append(h('section', {class: 'phones-view', 'aria-labelledby': 'phones-title'}, heading,
      h('p', {class: 'notice', 'data-testid': 'phones-not-allowed'}, 'Only people and businesses have SIP phones.')));
    return () => {};
  }
  const error = errorBox();
  const list = h('ul', {class: 'phone-list', 'aria-labelledby': 'phones-title'});
  const empty = h('p', {class: 'empty', hidden: true}, 'No phones yet. Add one, then enter what it shows into the phone.');
  const form = phoneForm(ctx, () => phones.load());
  const section = h('section', {class: 'phones-view', 'aria-labelledby': 'phones-title', 'aria-busy': 'true'},
    heading,
    h('p', {class: 'hint'}, `Make and take calls as @${ctx.api.me.handle} on a desk phone or a softphone (any SIP phone), besides this app.`),
    error.el, empty, list, form.el);

  function row(d) {
    const health = d.registered ? 'ok' : 'idle';
    return h('li', {class: 'phone-row status-row', dataset: {phone: d.name, health}},
      h('span', {class: 'status-dot', 'aria-hidden': 'true'}),
      h('span', {class: 'summary'},
        h('span', {class: 'title'}, d.name),
        h('span', {class: 'address'}, `${d.username} · ${d.registrar}`),
        h('span', {class: 'live-status', 'data-testid': 'phone-status'}, d.registered && d.registeredUntil
          ? ['Registered until ', h('time', {datetime: d.registeredUntil, title: fullTime(d.registeredUntil)}, clockTime(d.registeredUntil))]
          : 'Not registered')),
      h('button', {type: 'button', class: 'quiet danger', 'aria-label': `Delete phone ${d.name}`,
        onclick: () => phones.confirmDelete(`Delete phone ${d.name}?`,
          `${d.username} can no longer register or call; a phone registered with it is signed off at once.`,
          () => ctx.api.deleteSipDevice(d.id), `Phone ${d.name} deleted.`)}, 'Delete'));
  }

  el.append(section);
  const phones = liveList({section, list, empty, error, fetch: () => ctx.api.sipDevices(), row, key: (d) => d.id,
    quiet: () => form.quiet(), notify: ctx.notify});
  return phones.stop;
}

/** "Add a phone": a name; once stored, its credentials are shown and `added()` is called. */
function phoneForm(ctx, added) {
  const name = h('input', {name: 'name', autocomplete: 'off', maxlength: '64'});
  const error = errorBox();
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Add phone');
  const form = h('form', {class: 'phone-form', 'aria-labelledby': 'add-phone-title', novalidate: true},
    h('h3', {id: 'add-phone-title'}, 'Add a phone'),
    field('Phone name', name, 'What you call it, e.g. Desk phone or Laptop softphone.'),
    error.el,
    h('div', {class: 'form-actions'}, submit));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    quiet();
    submit.disabled = true;
    try {
      // The server is the judge of the name (1 to 64 characters); its refusal is shown as it comes.
      const phone = await ctx.api.addSipDevice(name.value);
      name.value = '';
      added();
      showCredentials(phone, () => name.focus());
    } catch (failure) {
      error.show(failure);
      if (failure.code === 'invalid_name') {
        name.setAttribute('aria-invalid', 'true');
        name.focus();
      }
    } finally {
      submit.disabled = false;
    }
  });

  function quiet() {
    error.clear();
    name.removeAttribute('aria-invalid');
  }

  return {el: form, quiet};
}

/** The new phone's settings, the password among them, in a dialog: the only time it is ever shown. */
function showCredentials(phone, closed) {
  const values = [
    ['Username', phone.username],
    ['Password', phone.password],
    ['Domain (realm)', phone.realm],
    ['Registrar', phone.registrar],
  ];
  const {dialog} = openDialog(`Set up ${phone.name}`, (close) => h('div', {},
    h('p', {class: 'warning', role: 'note'}, 'Copy the password now: it is shown only this once and cannot be shown again.'),
    h('p', {class: 'hint'}, 'Enter these into the phone\'s SIP account settings.'),
    values.map(([label, value]) => copyField(label, value)),
    h('div', {class: 'dialog-actions'},
      h('button', {type: 'button', class: 'primary', onclick: close}, 'Done, I have copied it'))));
  dialog.classList.add('credentials');
  dialog.addEventListener('close', closed);
}

/** A read-only field whose text is selected on focus, with a Copy button beside it. */
function copyField(label, value) {
  const input = h('input', {type: 'text', readonly: true, value, spellcheck: 'false', autocomplete: 'off',
    onfocus: (e) => e.target.select()});
  const status = h('span', {class: 'sr-only', role: 'status'});
  const copy = h('button', {type: 'button', class: 'quiet', 'aria-label': `Copy ${label.toLowerCase()}`, onclick: async () => {
    try {
      await navigator.clipboard.writeText(value);
      status.textContent = `${label} copied.`;
    } catch {
      // No clipboard here (an older browser, no permission): the text is selected to copy by hand.
      input.focus();
      status.textContent = `${label} selected: copy it by hand.`;
    }
  }}, 'Copy');
  const f = field(label, input);
  f.append(h('div', {class: 'copy-row'}, input, copy), status);
  return f;
}
