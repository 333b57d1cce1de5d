// A public profile from the directory, with "Message" (and later "Call").

import {errorBox, h, replace} from '../dom.js';
import {initials} from './conversations.js';
import {kindBadge} from './directory.js';

/**
 * Actions offered on a profile, in order. A later feature adds its own entry here (calls: a "Call"
 * button that starts a call to `profile.handle`).
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
    const actions = PROFILE_ACTIONS.map((action) => h('button', {
      type: 'button',
      class: action.primary ? 'primary' : '',
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
