// Log in with handle and password.

import {errorBox, field, h} from '../dom.js';

export function mount(el, ctx) {
  const handle = h('input', {name: 'handle', autocomplete: 'username', required: true, autocapitalize: 'none',
    spellcheck: 'false'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const error = errorBox();
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Log in');
  const form = h('form', {class: 'card auth', 'aria-labelledby': 'login-title', novalidate: true},
    h('h1', {id: 'login-title'}, 'Log in to Switchboard'),
    field('Handle', handle),
    field('Password', password),
    error.el,
    submit,
    h('p', {class: 'switch'}, 'New here? ', h('a', {href: '#/signup'}, 'Create an account')));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    if (!handle.value.trim() || !password.value) {
      error.show('Enter your handle and password.');
      (handle.value.trim() ? password : handle).focus();
      return;
    }
    submit.disabled = true;
    try {
      await ctx.api.logIn(handle.value.trim().toLowerCase(), password.value);
      ctx.signedIn();
    } catch (failure) {
      error.show(failure);
      password.select();
    } finally {
      submit.disabled = false;
    }
  });

  el.append(form);
  handle.focus();
}
