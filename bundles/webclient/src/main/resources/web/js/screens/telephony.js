// Telephony (#/telephony), for business accounts: the company's SIP trunks with their live status
// (a live list: asked again every 5 s while the screen is open), adding and deleting trunks, and the routing rules
// (docs/routing.md): a structured view of the rules as stored, and a JSON text area, the source of
// truth, to edit and save them. The server checks both and its message names the faulty field.

import {errorBox, field, fullTime, h, replace, shortTime} from '../dom.js';
import {liveList} from '../live-list.js';
import {backLink} from './profile.js';

/** A trunk's status → [words, health]; the health colours its dot (ok green, idle grey, bad red). */
const STATUS = {
  registered: ['Registered', 'ok'],
  reachable: ['Reachable', 'ok'],
  unregistered: ['Not registered', 'idle'],
  unreachable: ['Unreachable', 'bad'],
  failed: ['Registration failed', 'bad'],
};

const STRATEGIES = {
  ringall: 'Ring everyone at once',
  linear: 'One after another, as listed',
  roundrobin: 'Round robin',
  leastrecent: 'Longest without a call first',
  fewestcalls: 'Fewest calls first',
  random: 'Random order',
  weightedrandom: 'Random order by weight',
};

const DAYS = {mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun'};

/** What a company starts from before it has saved any rules: one rule for every call. */
function template() {
  return {timezone: 'UTC', rules: [{name: 'all calls', ring: {strategy: 'ringall', members: [{extension: '200'}]}}]};
}

/** The first example of docs/routing.md over the company's first trunk (none: its trunks by priority). */
function example(trunkName) {
  const over = trunkName ? {trunk: trunkName} : {};
  return {
    timezone: 'Europe/Berlin',
    rules: [
      {
        name: 'office hours',
        when: {days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00'},
        ring: {
          strategy: 'ringall',
          members: [{extension: '201', ...over}, {extension: '202'}, {handle: 'alice'}],
          memberTimeout: 15,
          totalTimeout: 60,
          skipBusy: true,
        },
        onNoAnswer: 'next',
      },
      {name: 'after hours', ring: {strategy: 'linear', members: [{extension: '200'}]}},
    ],
  };
}

export function mount(el, ctx) {
  document.title = 'Telephony · Switchboard';
  if (ctx.api.me.kind !== 'business') {
    el.append(notForPersons());
    return () => {};
  }
  const trunks = trunksPart(ctx);
  const routing = routingPart(ctx, trunks);
  el.append(h('section', {class: 'telephony-view', 'aria-labelledby': 'telephony-title'},
    backLink(),
    h('h2', {id: 'telephony-title'}, 'Telephony'),
    h('p', {class: 'hint'}, `Connect your PBX with SIP trunks and decide where a call to @${ctx.api.me.handle} rings.`),
    trunks.el,
    routing.el));
  return () => {
    trunks.stop();
    routing.stop();
  };
}

function notForPersons() {
  return h('section', {class: 'telephony-view', 'aria-labelledby': 'telephony-title'},
    backLink(),
    h('h2', {id: 'telephony-title'}, 'Telephony'),
    h('p', {class: 'notice', 'data-testid': 'telephony-business-only'}, 'Only business accounts have telephony settings.'),
    h('p', {class: 'hint'}, 'A company connects its phone system here, so that anyone can call it by name.'));
}

// ---- trunks

function trunksPart(ctx) {
  const error = errorBox();
  const list = h('ul', {class: 'trunk-list', 'aria-labelledby': 'trunks-title'});
  const empty = h('p', {class: 'empty', hidden: true}, 'No trunks yet. Add the first one to connect your PBX.');
  const form = trunkForm(ctx, () => trunks.load());
  const el = h('section', {class: 'trunks', 'aria-labelledby': 'trunks-title', 'aria-busy': 'true'},
    h('h3', {id: 'trunks-title'}, 'Trunks'),
    error.el, empty, list, form.el);

  function row(t) {
    const [words, health] = STATUS[t.status] || [t.status || 'Unknown', 'idle'];
    const channels = t.maxChannels ? `up to ${t.maxChannels} ${t.maxChannels === 1 ? 'channel' : 'channels'}` : 'no channel limit';
    return h('li', {class: 'trunk-row status-row', dataset: {trunk: t.name, status: t.status || '', health}},
      h('span', {class: 'status-dot', 'aria-hidden': 'true'}),
      h('span', {class: 'summary'},
        h('span', {class: 'title'}, t.name, h('span', {class: 'badge'}, t.mode === 'register' ? 'Register' : 'Peer')),
        h('span', {class: 'address'}, `${t.host}:${t.port}/${t.transport}`,
          t.mode === 'register' && t.username ? ` · as ${t.username}` : ''),
        h('span', {class: 'settings'}, `Priority ${t.priority} · weight ${t.weight} · ${channels}`),
        h('span', {class: 'live-status', 'data-testid': 'trunk-status'}, words,
          t.statusSince ? [' since ', h('time', {datetime: t.statusSince, title: fullTime(t.statusSince)}, shortTime(t.statusSince))]
            : null),
        t.lastError ? h('span', {class: 'trunk-error'}, t.lastError) : null),
      h('button', {type: 'button', class: 'quiet danger', 'aria-label': `Delete trunk ${t.name}`,
        onclick: () => trunks.confirmDelete(`Delete trunk ${t.name}?`,
          `Switchboard stops using ${t.host}:${t.port}. Rules that name this trunk can no longer be saved.`,
          () => ctx.api.deleteTrunk(t.id), `Trunk ${t.name} deleted.`)}, 'Delete'));
  }

  const trunks = liveList({section: el, list, empty, error, fetch: () => ctx.api.trunks(), row, key: (t) => t.name,
    quiet: () => form.quiet(), notify: ctx.notify});
  return {
    el,
    /** The name of the first trunk by priority, or null. */
    first: () => (trunks.shown().length ? trunks.shown()[0].name : null),
    stop: trunks.stop,
  };
}

/** The "Add trunk" form; `added(trunk)` is called once the server has stored one. */
function trunkForm(ctx, added) {
  const input = (name, attrs = {}) => h('input', {name, autocomplete: 'off', spellcheck: 'false', ...attrs});
  const name = input('name', {required: true, maxlength: '32', autocapitalize: 'none'});
  const register = h('input', {type: 'radio', name: 'trunk-mode', value: 'register', id: 'trunk-mode-register', checked: true});
  const peer = h('input', {type: 'radio', name: 'trunk-mode', value: 'peer', id: 'trunk-mode-peer'});
  const host = input('host', {required: true, autocapitalize: 'none'});
  const port = input('port', {type: 'number', min: '1', max: '65535', step: '1'});
  const transport = h('select', {name: 'transport'}, h('option', {value: 'udp'}, 'UDP'), h('option', {value: 'tcp'}, 'TCP'));
  const username = input('username', {autocapitalize: 'none'});
  // Write-only: sent once, never shown again (the server returns no password either).
  const password = h('input', {name: 'password', type: 'password', autocomplete: 'new-password'});
  const realm = input('realm', {autocapitalize: 'none'});
  const priority = input('priority', {type: 'number', min: '0', max: '1000', step: '1'});
  const weight = input('weight', {type: 'number', min: '1', max: '1000', step: '1'});
  const maxChannels = input('maxChannels', {type: 'number', min: '1', max: '100000', step: '1'});
  const controls = {name, mode: register, host, port, transport, username, password, realm, priority, weight, maxChannels};
  const error = errorBox();
  const done = h('p', {class: 'hint', role: 'status'});
  const submit = h('button', {type: 'submit', class: 'primary'}, 'Add trunk');
  const credentials = h('div', {class: 'form-grid'},
    field('Username', username),
    field('Password', password, 'Stored sealed; never shown again.'),
    field('Realm', realm, 'Optional.'));

  const form = h('form', {class: 'trunk-form', 'aria-labelledby': 'add-trunk-title', novalidate: true},
    h('h4', {id: 'add-trunk-title'}, 'Add trunk'),
    h('div', {class: 'form-grid'},
      field('Name', name, 'a-z, 0-9, _ and -, e.g. main.'),
      field('Host', host, 'Your PBX: host name or IP address.'),
      field('Port', port),
      field('Transport', transport)),
    h('fieldset', {class: 'choice'},
      h('legend', {}, 'Mode'),
      h('label', {for: 'trunk-mode-register'}, register, ' Register (Switchboard logs in to your PBX)'),
      h('label', {for: 'trunk-mode-peer'}, peer, ' Peer (your PBX trusts this server by address)')),
    credentials,
    h('div', {class: 'form-grid'},
      field('Priority', priority, 'Lower is tried first.'),
      field('Weight', weight, 'Shares calls among equal priorities.'),
      field('Max channels', maxChannels, 'Calls at once; empty for no limit.')),
    error.el,
    h('div', {class: 'form-actions'}, submit, done));

  function defaults() {
    for (const c of [name, host, username, password, realm, maxChannels]) c.value = '';
    register.checked = true;
    transport.value = 'udp';
    port.value = '5060';
    priority.value = '10';
    weight.value = '1';
  }

  function showMode() {
    credentials.hidden = !register.checked;
  }

  function invalid(control) {
    for (const c of Object.values(controls)) c.removeAttribute('aria-invalid');
    if (!control) return;
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  }

  /** A number field's whole number, undefined when empty. */
  function whole(control, label) {
    const text = control.value.trim();
    if (control.validity.badInput || (text && !Number.isInteger(Number(text)))) {
      invalid(control);
      throw new Error(`${label}: enter a whole number.`);
    }
    return text ? Number(text) : undefined;
  }

  form.addEventListener('change', showMode);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    quiet();
    let trunk;
    try {
      trunk = {
        name: name.value.trim(),
        mode: register.checked ? 'register' : 'peer',
        host: host.value.trim(),
        port: whole(port, 'Port'),
        transport: transport.value,
        priority: whole(priority, 'Priority'),
        weight: whole(weight, 'Weight'),
        maxChannels: whole(maxChannels, 'Max channels'),
      };
    } catch (problem) {
      error.show(problem);
      return;
    }
    if (register.checked) {
      trunk.username = username.value.trim();
      trunk.password = password.value;
      if (realm.value.trim()) trunk.realm = realm.value.trim();
    }
    submit.disabled = true;
    try {
      const stored = await ctx.api.addTrunk(trunk);
      defaults();
      showMode();
      done.textContent = `Trunk ${stored.name} added.`;
      added(stored);
    } catch (failure) {
      error.show(failure);
      // "host: a host name or an IP address": the server names the field; point at it.
      const named = /^(\w+):/.exec(failure.message || '');
      invalid(named ? controls[named[1]] : null);
    } finally {
      submit.disabled = false;
    }
  });

  function quiet() {
    error.clear();
    done.textContent = '';
    invalid(null);
  }

  defaults();
  showMode();
  return {el: form, quiet};
}

// ---- routing rules

function routingPart(ctx, trunks) {
  const error = errorBox();
  const view = h('div', {class: 'rules-view', 'data-testid': 'rules-view', 'aria-live': 'polite'});
  const text = h('textarea', {name: 'routing', class: 'rules-json', rows: '18', spellcheck: 'false', autocomplete: 'off',
    autocapitalize: 'none', wrap: 'off'});
  const done = h('p', {class: 'hint', role: 'status'});
  const save = h('button', {type: 'submit', class: 'primary'}, 'Save rules');
  const loadExample = h('button', {type: 'button', onclick: () => {
    text.value = format(example(trunks.first()));
    error.clear();
    done.textContent = 'Example loaded; save to use it.';
    text.focus();
  }}, 'Load example');
  const form = h('form', {class: 'routing-form', novalidate: true, 'aria-label': 'Edit the routing rules'},
    field('Rules (JSON)', text, 'The whole document, as in the routing rules guide: it replaces what is stored.'),
    error.el,
    h('div', {class: 'form-actions'}, save, loadExample, done));
  const el = h('section', {class: 'routing', 'aria-labelledby': 'routing-title', 'aria-busy': 'true'},
    h('h3', {id: 'routing-title'}, 'Routing rules'),
    h('p', {class: 'hint'}, 'The first rule whose time matches takes a call; when nobody answers, the next one may go on.'),
    view, form);
  let gone = false;

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.clear();
    done.textContent = '';
    let rules;
    try {
      rules = JSON.parse(text.value);
    } catch (problem) {
      error.show(`The rules are not valid JSON (${problem.message}). Nothing was saved.`);
      text.focus();
      return;
    }
    save.disabled = true;
    try {
      const stored = await ctx.api.saveRouting(rules);
      if (gone) return;
      show(stored || rules);
      done.textContent = 'Saved.';
    } catch (failure) {
      // The user's text stays as it is, to be fixed.
      if (!gone) error.show(failure);
    } finally {
      save.disabled = false;
    }
  });

  function show(rules) {
    replace(view, rulesView(tidy(rules)));
  }

  ctx.api.routing().then((rules) => {
    if (gone) return;
    text.value = format(tidy(rules));
    show(rules);
  }).catch((failure) => {
    if (gone) return;
    if (failure.code === 'no_routing') {
      text.value = format(template());
      replace(view, h('p', {class: 'empty'},
        'No rules saved yet: calls to this company ring nowhere. Start from the one rule below, or load the example.'));
    } else {
      error.show(failure);
    }
  }).finally(() => el.removeAttribute('aria-busy'));

  return {
    el,
    stop() {
      gone = true;
    },
  };
}

/** The stored rules, one card per rule: when, strategy, members, timeouts, skip busy, if nobody answers. */
function rulesView(doc) {
  const rules = Array.isArray(doc.rules) ? doc.rules : [];
  return [
    h('p', {class: 'timezone'}, `Times are in ${doc.timezone || 'UTC'}.`),
    h('ol', {class: 'rule-list', 'aria-label': 'Saved routing rules'}, rules.map((rule) => {
      const ring = rule.ring || {};
      const strategy = ring.strategy || 'ringall';
      const total = ring.totalTimeout || 60;
      const each = ring.memberTimeout || Math.min(15, total);
      return h('li', {class: 'rule-card', dataset: {rule: rule.name}},
        h('h4', {}, rule.name),
        h('dl', {class: 'facts'},
          h('dt', {}, 'When'), h('dd', {}, when(rule.when)),
          h('dt', {}, 'Strategy'), h('dd', {}, STRATEGIES[strategy] || strategy),
          h('dt', {}, 'Members'), h('dd', {}, h('ul', {class: 'chips'}, (ring.members || []).map(member))),
          h('dt', {}, 'Timeouts'),
          h('dd', {}, strategy === 'ringall' ? `Everyone rings ${total} s` : `${each} s each, ${total} s in all`),
          h('dt', {}, 'Skip busy'), h('dd', {}, ring.skipBusy ? 'Yes: members in a call are left out' : 'No'),
          h('dt', {}, 'If nobody answers'), h('dd', {}, rule.onNoAnswer === 'hangup' ? 'Hang up' : 'The next matching rule')));
    })),
  ];
}

function when(w) {
  if (!w) return 'Always';
  const days = Array.isArray(w.days) && w.days.length ? w.days.map((d) => DAYS[d] || d).join(', ') : 'Every day';
  if (!w.from || !w.to) return `${days}, all day`;
  return `${days}, ${w.from}–${w.to}${w.to < w.from ? ' (over midnight)' : ''}`;
}

function member(m) {
  const weight = m.weight ? h('span', {class: 'weight'}, ` ×${m.weight}`) : null;
  if (m.handle) return h('li', {class: 'member-chip', dataset: {member: `@${m.handle}`}}, `@${m.handle}`, weight);
  return h('li', {class: 'member-chip', dataset: {member: m.extension}},
    `☎ ${m.extension}`, m.trunk ? h('span', {class: 'via'}, ` via ${m.trunk}`) : null, weight);
}

/** The JSON without null fields (null and absent mean the same here). */
function tidy(value) {
  if (Array.isArray(value)) return value.map(tidy);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, tidy(v)]));
  }
  return value;
}

/** JSON for people: indented, with whatever fits a line (a member, a time window) kept on one. */
function format(value, indent = '', prefix = 0) {
  const flat = oneLine(value);
  if (!value || typeof value !== 'object' || indent.length + prefix + flat.length <= 80) return flat;
  const inner = `${indent}  `;
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + format(v, inner)).join(',\n')}\n${indent}]`;
  const lines = Object.entries(value).map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner, k.length + 4)}`);
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function oneLine(value) {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${oneLine(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}
