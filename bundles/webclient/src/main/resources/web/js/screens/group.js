// Groups: create one with members (#/new-group), and a group's details (#/c/<id>/info): rename,
// add and remove members, leave.

import {errorBox, field, h, openDialog, replace} from '../dom.js';
import {profileLine, searchBox} from './directory.js';
import {backLink} from './profile.js';

export function mount(el, ctx, {conversationId}) {
  return conversationId ? details(el, ctx, conversationId) : create(el, ctx);
}

function create(el, ctx) {
  const chosen = new Map(); // handle → profile
  const title = h('input', {name: 'title', required: true, maxlength: '128', autocomplete: 'off'});
  const members = h('ul', {class: 'chips', 'aria-label': 'Members to add'});
  const error = errorBox();
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Create group');
  const search = searchBox(ctx, {
    label: 'Add members',
    exclude: (p) => chosen.has(p.handle),
    onPick: (p) => {
      chosen.set(p.handle, p);
      search.clear();
      showChosen();
      search.input.focus();
    },
  });

  function showChosen() {
    replace(members, [...chosen.values()].map((p) => h('li', {class: 'chip', dataset: {handle: p.handle}},
      p.displayName || p.handle,
      h('button', {type: 'button', class: 'quiet', 'aria-label': `Remove ${p.displayName || p.handle}`,
        onclick: () => {
          chosen.delete(p.handle);
          showChosen();
        }}, '✕'))));
  }

  const form = h('form', {class: 'group-form stack', 'aria-labelledby': 'group-title', novalidate: true},
    backLink(),
    h('h2', {id: 'group-title'}, 'New group'),
    field('Group name', title),
    search.el,
    members,
    error.el,
    submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    if (!title.value.trim()) {
      error.show('Give the group a name.');
      title.focus();
      return;
    }
    submit.disabled = true;
    try {
      const c = await ctx.api.createGroup(title.value.trim(), [...chosen.keys()]);
      ctx.chat.remember(c);
      ctx.navigate(`#/c/${encodeURIComponent(c.id)}`);
    } catch (failure) {
      error.show(failure);
    } finally {
      submit.disabled = false;
    }
  });
  el.append(form);
  title.focus();
}

function details(el, ctx, id) {
  const chat = ctx.chat;
  const me = ctx.api.me.handle;
  let current = null; // the conversation as last seen
  const error = errorBox();
  const heading = h('h2', {id: 'group-title'}, 'Group');
  const name = h('input', {name: 'title', maxlength: '128', required: true});
  const renameButton = h('button', {type: 'submit'}, 'Rename');
  const rename = h('form', {class: 'inline'}, field('Group name', name), renameButton);
  const membersTitle = h('h3', {});
  const members = h('ul', {class: 'members', 'aria-label': 'Members'});
  const add = searchBox(ctx, {
    label: 'Add a member',
    exclude: (p) => (current.members || []).some((m) => m.handle === p.handle),
    onPick: (p) => {
      add.clear();
      run(() => ctx.api.addMember(id, p.handle));
    },
  });
  const leave = h('button', {type: 'button', class: 'danger', onclick: () => confirmLeave()}, 'Leave group');
  // Built once and then only updated, so a change arriving while someone types loses nothing.
  const section = h('section', {class: 'group stack', 'aria-labelledby': 'group-title', hidden: true},
    h('a', {href: `#/c/${encodeURIComponent(id)}`, class: 'back'}, '← Back to the conversation'),
    heading, rename, membersTitle, members, add.el, leave);
  el.append(section, error.el);

  async function run(work) {
    error.clear();
    try {
      const answer = await work();
      chat.remember(answer && answer.id ? answer : await ctx.api.conversation(id));
    } catch (failure) {
      error.show(failure);
    }
  }

  rename.addEventListener('submit', (e) => {
    e.preventDefault();
    const title = name.value.trim();
    if (title && title !== current.title) run(() => ctx.api.rename(id, title));
  });

  function render(c) {
    current = c;
    const role = chat.myRole(c);
    const admin = role === 'owner' || role === 'admin';
    const canRemove = (m) => admin && m.handle !== me && m.role !== 'owner' && (m.role !== 'admin' || role === 'owner');
    section.hidden = false;
    heading.textContent = c.title || 'Group';
    if (document.activeElement !== name) name.value = c.title || '';
    name.disabled = !admin;
    renameButton.hidden = !admin;
    add.el.hidden = !admin;
    membersTitle.textContent = `Members (${(c.members || []).length})`;
    replace(members, (c.members || []).map((m) => h('li', {dataset: {handle: m.handle}},
      h('span', {class: 'who'}, profileLine(m)),
      h('span', {class: 'role'}, m.role),
      canRemove(m) ? h('button', {type: 'button', class: 'quiet danger', 'aria-label': `Remove ${m.displayName || m.handle}`,
        onclick: () => run(() => ctx.api.removeMember(id, m.handle))}, 'Remove') : null)));
  }

  function confirmLeave() {
    openDialog(`Leave ${current.title || 'this group'}?`, (close) => h('div', {class: 'dialog-actions'},
      h('button', {type: 'button', class: 'quiet', onclick: close}, 'Cancel'),
      h('button', {type: 'button', class: 'danger', onclick: async () => {
        close();
        try {
          await ctx.api.removeMember(id, me);
          chat.forget(id);
          ctx.navigate('#/');
        } catch (failure) {
          error.show(failure);
        }
      }}, 'Leave')));
  }

  const onConversation = (e) => {
    if (e.detail.conversation.id === id) render(e.detail.conversation);
  };
  chat.addEventListener('conversation', onConversation);
  ctx.api.conversation(id).then((c) => chat.remember(c)).catch((failure) => {
    error.show(failure.status === 404 ? 'This group does not exist or you are not a member.' : failure);
  });
  return () => chat.removeEventListener('conversation', onConversation);
}
