// Create an account: the handle's rules are checked as you type; the server has the last word.

import {errorBox, field, h} from '../dom.js';

// The same rules as the server's: lower-cased, then [a-z][a-z0-9_]{2,31}.
const RULES = [
  ['length', '3 to 32 characters', (v) => v.length >= 3 && v.length <= 32],
  ['first', 'starts with a letter', (v) => /^[a-z]/.test(v)],
  ['chars', 'only letters a–z, digits and _', (v) => v.length > 0 && /^[a-z0-9_]*$/.test(v)],
];

export function handleProblems(value) {
  const v = value.trim().toLowerCase();
  return RULES.filter(([, , ok]) => !ok(v)).map(([key]) => key);
}

export function mount(el, ctx) {
  const handle = h('input', {name: 'handle', autocomplete: 'username', required: true, autocapitalize: 'none',
    spellcheck: 'false', maxlength: '32', 'aria-describedby': 'handle-rules'});
  const rules = h('ul', {id: 'handle-rules', class: 'rules', 'aria-live': 'polite'},
    RULES.map(([key, text]) => h('li', {dataset: {rule: key, ok: 'false'}}, text)));
  const displayName = h('input', {name: 'displayName', autocomplete: 'name', maxlength: '64'});
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'new-password', required: true,
    minlength: '8'});
  const person = h('input', {type: 'radio', name: 'kind', value: 'person', id: 'kind-person', checked: true});
  const business = h('input', {type: 'radio', name: 'kind', value: 'business', id: 'kind-business'});
  const error = errorBox();
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Create account');

  const handleField = field('Handle', handle);
  handleField.append(rules);
  const form = h('form', {class: 'card auth', 'aria-labelledby': 'signup-title', novalidate: true},
    h('h1', {id: 'signup-title'}, 'Create your Switchboard account'),
    handleField,
    field('Display name', displayName, 'How others see you, e.g. "Alice Smith".'),
    field('Password', password, 'At least 8 characters.'),
    h('fieldset', {class: 'kind'},
      h('legend', {}, 'Account type'),
      h('label', {for: 'kind-person'}, person, ' Person'),
      h('label', {for: 'kind-business'}, business, ' Business')),
    error.el,
    submit,
    h('p', {class: 'switch'}, 'Already have an account? ', h('a', {href: '#/login'}, 'Log in')));

  const showRules = () => {
    const problems = handleProblems(handle.value);
    for (const li of rules.children) {
      const ok = handle.value.length > 0 && !problems.includes(li.dataset.rule);
      li.dataset.ok = String(ok);
    }
    handle.setAttribute('aria-invalid', String(handle.value.length > 0 && problems.length > 0));
  };
  handle.addEventListener('input', showRules);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    const problems = handleProblems(handle.value);
    if (problems.length) {
      showRules();
      error.show('Choose a handle that follows the rules shown under it.');
      handle.focus();
      return;
    }
    if (password.value.length < 8) {
      error.show('Choose a password of at least 8 characters.');
      password.focus();
      return;
    }
    submit.disabled = true;
    try {
      await ctx.api.signUp({
        handle: handle.value.trim().toLowerCase(),
        displayName: displayName.value.trim() || handle.value.trim(),
        password: password.value,
        kind: business.checked ? 'business' : 'person',
      });
      ctx.signedIn();
    } catch (failure) {
      error.show(failure);
      if (failure.code === 'handle_taken' || failure.code === 'invalid_handle') handle.focus();
    } finally {
      submit.disabled = false;
    }
  });

  el.append(form);
  handle.focus();
}
