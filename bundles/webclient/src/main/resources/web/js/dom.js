// Small DOM helpers. Text always goes in as text (never as HTML), so nothing a user writes can run.

/**
 * h('button', {class: 'primary', onclick: fn, 'aria-label': 'Send'}, 'Send') → <button>.
 * Attributes: `class`, `dataset` (object), `on<event>` (listener), booleans (true → present,
 * false/null → absent), anything else as an attribute. Children: strings, nodes, arrays, null.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
/** A unique id for pairing a <label for> with its control. */
export function uid(prefix = 'f') {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A labelled form field: <div class="field"><label>…</label><input …><p class="hint">…</p></div>. */
export function field(label, control, hint) {
  const id = control.id || uid();
  control.id = id;
  const hintEl = hint ? h('p', {class: 'hint', id: `${id}-hint`}, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', {class: 'field'}, h('label', {for: id}, label), control, hintEl);
}

/** A region that reads failures out to screen readers and shows them; `show(error)` / `clear()`. */
export function errorBox() {
  const el = h('p', {class: 'error', role: 'alert', hidden: true});
  return {
    el,
    show(error) {
      el.textContent = describe(error);
      el.hidden = false;
    },
    clear() {
      el.textContent = '';
      el.hidden = true;
    },
  };
}

/** A readable sentence for any failure (ApiError, network failure, anything else). */
export function describe(error) {
  if (!error) return '';
  if (typeof error === 'string') return error;
  return error.message || 'Something went wrong.';
}

const timeFormat = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit'});
const dayFormat = new Intl.DateTimeFormat(undefined, {month: 'short', day: 'numeric'});

/** "14:05" today, "Mar 3" before. */
export function shortTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString() ? timeFormat.format(d) : dayFormat.format(d);
}

const clockFormat = new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit', hourCycle: 'h23'});

/** "14:05" (24-hour), whatever the day. */
export function clockTime(iso) {
  return iso ? clockFormat.format(new Date(iso)) : '';
}

export function fullTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Calls fn at most once per `ms`; later calls inside the window are dropped. */
export function throttle(fn, ms) {
  let last = 0;
  return (...args) => {
    const now = Date.now();
    if (now - last < ms) return;
    last = now;
    fn(...args);
  };
}

/** Calls fn once `ms` after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * A modal dialog (native <dialog>: focus is kept inside, Escape closes it). `content` gets a
 * `close()` function; returns {dialog, close}.
 */
export function openDialog(title, build) {
  const titleId = uid('dlg');
  const dialog = h('dialog', {'aria-labelledby': titleId, class: 'dialog'});
  const close = () => {
    dialog.close();
  };
  dialog.addEventListener('close', () => dialog.remove());
  dialog.append(h('h2', {id: titleId}, title), build(close));
  document.body.append(dialog);
  dialog.showModal();
  return {dialog, close};
}

/**
 * Asks before something that cannot be undone: `text`, then Cancel and a danger button named `action`
 * that closes the dialog and calls `run()`.
 */
export function confirmDialog(title, text, action, run) {
  return openDialog(title, (close) => h('div', {},
    h('p', {}, text),
    h('div', {class: 'dialog-actions'},
      h('button', {type: 'button', class: 'quiet', onclick: close}, 'Cancel'),
      h('button', {type: 'button', class: 'danger', onclick: () => {
        close();
        run();
      }}, action))));
}
