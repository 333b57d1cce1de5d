// A public profile from the directory, with "Message", "Call" and "Video call".

import {errorBox, h, replace} from '../dom.js';
import {startCall} from './call.js';
import {initials} from './conversations.js';
import {kindBadge} from './directory.js';
import {hasPhones} from './phones.js';

/** Someone who can be called from here: not oneself, and a person or a company (not a bot or a channel). */
function callable(ctx, profile) {
  return profile.handle !== ctx.api.me.handle && !['bot', 'channel'].includes(profile.kind);
}

/**
 * Actions offered on a profile, in order: {label, primary?, testid?, when?(ctx, profile), run(ctx, profile)}.
 * A later feature adds its own entry here.
 */
export const PROFILE_ACTIONS = [
  {
    label: 'Message',
    primary: true,
    async run(ctx, profile) {
      const c = await ctx.api.openDirect(profile.handle);
      ctx.chat.remember(c);
      ctx.navigate(`#/c/${encodeURIComponent(c.id)}`);
    },
  },
  {
    label: 'Call',
    testid: 'call-start',
    when: callable,
    run: (ctx, profile) => startCall(ctx, profile, false),
  },
  {
    label: 'Video call',
    testid: 'video-call-start',
    when: callable,
    run: (ctx, profile) => startCall(ctx, profile, true),
  },
  {
    label: 'SIP phones',
    testid: 'phones-open',
    when: (ctx, profile) => profile.handle === ctx.api.me.handle && hasPhones(profile),
    run: (ctx) => ctx.navigate('#/phones'),
  },
];

export function mount(el, ctx, {handle}) {
  const error = errorBox();
  const body = h('section', {class: 'profile', 'aria-labelledby': 'profile-title', 'aria-busy': 'true'},
    backLink(), h('h2', {id: 'profile-title'}, `@${handle}`), error.el);
  el.append(body);
  let gone = false;
  ctx.api.profile(handle).then((p) => {
    if (gone) return;
    body.removeAttribute('aria-busy');
    const offered = PROFILE_ACTIONS.filter((action) => !action.when || action.when(ctx, p));
    const actions = offered.map((action) => h('button', {
      type: 'button',
      class: action.primary ? 'primary' : '',
      'data-testid': action.testid,
      onclick: async (e) => {
        const button = e.currentTarget;
        button.disabled = true;
        error.clear();
        try {
          await action.run(ctx, p);
        } catch (failure) {
          error.show(failure);
        } finally {
          button.disabled = false;
        }
      },
    }, action.label));
    replace(body,
      backLink(),
      h('div', {class: 'avatar large', 'aria-hidden': 'true'}, initials(p.displayName || p.handle)),
      h('h2', {id: 'profile-title'}, p.displayName || p.handle),
      h('p', {class: 'handle'}, `@${p.handle} `, kindBadge(p),
        p.verified ? h('span', {class: 'badge verified'}, '✓ Verified') : null),
      p.about ? h('p', {class: 'about'}, p.about) : null,
      h('div', {class: 'actions'}, actions),
      error.el);
  }).catch((failure) => {
    body.removeAttribute('aria-busy');
    error.show(failure.status === 404 ? `No account is called @${handle}.` : failure);
  });
  return () => {
    gone = true;
  };
}

/** "Back" to the list; shown on phones, where the list and the main pane do not fit side by side. */
export function backLink() {
  return h('a', {href: '#/', class: 'back'}, '← Back');
}
