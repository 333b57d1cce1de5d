// Directory search as you type: a labelled search field and a list of matching accounts.
// Used by the sidebar (open a profile) and by the group screen (pick members).

import {debounce, h, replace, uid} from '../dom.js';

/**
 * @param {object} ctx the app context
 * @param {object} options
 * @param {string} options.label the field's label
 * @param {(profile) => void} options.onPick called with the chosen account
 * @param {(profile) => boolean} [options.exclude] hides some results (e.g. members already added)
 * @param {(query: string) => void} [options.onQuery] told when the query changes ('' when cleared)
 * @returns {{el: HTMLElement, input: HTMLInputElement, clear: () => void}}
 */
export function searchBox(ctx, {label, onPick, exclude = () => false, onQuery = () => {}}) {
  const inputId = uid('search');
  const resultsId = uid('results');
  const input = h('input', {id: inputId, type: 'search', autocomplete: 'off', spellcheck: 'false',
    'aria-controls': resultsId, placeholder: 'Name or @handle'});
  const results = h('ul', {id: resultsId, class: 'results', 'aria-label': 'Search results', hidden: true});
  const note = h('p', {class: 'hint', 'aria-live': 'polite'});
  let asked = 0;

  const search = debounce(async (query) => {
    const mine = ++asked;
    try {
      const found = await ctx.api.directory(query);
      if (mine !== asked) return; // an answer to an older query
      show(found.filter((p) => p.handle !== ctx.api.me.handle && !exclude(p)), query);
    } catch (e) {
      if (mine === asked) note.textContent = e.message;
    }
  }, 150);

  function show(found, query) {
    results.hidden = false;
    note.textContent = found.length ? `${found.length} found` : `No one matches "${query}".`;
    replace(results, found.map((p) => h('li', {},
      h('button', {type: 'button', class: 'result', dataset: {handle: p.handle}, onclick: () => onPick(p)},
        profileLine(p)))));
  }

  function clear() {
    asked++;
    input.value = '';
    results.hidden = true;
    note.textContent = '';
    replace(results);
    onQuery('');
  }

  input.addEventListener('input', () => {
    const query = input.value.trim().replace(/^@/, '');
    onQuery(query);
    if (!query) {
      clear();
      return;
    }
    search(query);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value) {
      e.stopPropagation();
      clear();
    }
    if (e.key === 'ArrowDown' && !results.hidden) {
      const first = results.querySelector('button');
      if (first) {
        e.preventDefault();
        first.focus();
      }
    }
  });
  results.addEventListener('keydown', (e) => {
    const buttons = [...results.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (e.key === 'ArrowDown' && i < buttons.length - 1) buttons[i + 1].focus();
    else if (e.key === 'ArrowUp') (i > 0 ? buttons[i - 1] : input).focus();
    else return;
    e.preventDefault();
  });

  const el = h('div', {class: 'search', role: 'search'},
    h('label', {for: inputId}, label), input, note, results);
  return {el, input, clear};
}

/** Name, @handle and marks (Business, Verified) of an account, as one line. */
export function profileLine(p) {
  return [
    h('span', {class: 'name'}, p.displayName || p.handle),
    h('span', {class: 'handle'}, `@${p.handle}`),
    kindBadge(p),
    p.verified ? h('span', {class: 'badge verified', title: 'Verified'}, '✓ Verified') : null,
  ];
}

export function kindBadge(p) {
  const names = {business: 'Business', bot: 'Bot', channel: 'Channel'};
  return names[p.kind] ? h('span', {class: `badge kind-${p.kind}`}, names[p.kind]) : null;
}
