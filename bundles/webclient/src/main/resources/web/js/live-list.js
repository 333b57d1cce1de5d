// A list whose items change on the server by themselves (a trunk's status, a SIP phone's
// registration): asked again every few seconds while its screen is open, redrawn only when the answer
// changed, with the keyboard focus kept on the same row.

import {confirmDialog, replace} from './dom.js';

const REFRESH_MS = 5000;

/**
 * `fetch()` resolves to the items; `row(item)` draws one as an <li>; `key(item)` names it among the
 * others. `section` is busy until the first answer, `empty` shows when there are no items and `error`
 * (an errorBox) says why an answer or a deletion failed; `quiet()` clears what the screen said before a
 * deletion, `notify(text)` says that it worked. Returns {load(), shown(), confirmDelete(…), stop()}.
 */
export function liveList({section, list, empty, error, fetch, row, key, quiet = () => {}, notify = () => {}}) {
  let gone = false;
  let shown = [];
  let drawn = null; // what the list was drawn from, so an unchanged answer redraws nothing
  let asked = 0;

  function render(found) {
    shown = found;
    const json = JSON.stringify(found);
    if (json === drawn) return;
    drawn = json;
    const focused = list.contains(document.activeElement) ? document.activeElement.closest('li').dataset.key : null;
    replace(list, found.map((item) => {
      const li = row(item);
      li.dataset.key = key(item);
      return li;
    }));
    empty.hidden = found.length > 0;
    if (focused) list.querySelector(`li[data-key="${CSS.escape(focused)}"] button`)?.focus();
  }

  async function load() {
    const mine = ++asked;
    try {
      const found = await fetch();
      if (gone || mine !== asked) return;
      error.clear();
      render(found);
    } catch (e) {
      if (!gone && mine === asked) error.show(e);
    } finally {
      if (!gone) section.removeAttribute('aria-busy');
    }
  }

  /** Asks first (`question`, `consequence`); then `remove()`, says `done` and asks for the list again. */
  function confirmDelete(question, consequence, remove, done) {
    confirmDialog(question, consequence, 'Delete', async () => {
      error.clear();
      quiet();
      try {
        await remove();
        notify(done);
      } catch (failure) {
        error.show(failure);
      }
      load();
    });
  }

  load();
  const timer = setInterval(() => {
    if (!document.hidden) load();
  }, REFRESH_MS);
  return {
    load,
    shown: () => shown,
    confirmDelete,
    stop() {
      gone = true;
      clearInterval(timer);
    },
  };
}
