// The main pane when nothing is open (on a phone the conversation list is shown instead).

import {h} from '../dom.js';

export function mount(el, ctx) {
  el.append(h('section', {class: 'home', 'aria-labelledby': 'home-title'},
    h('h2', {id: 'home-title'}, `Welcome, ${ctx.api.me.displayName || ctx.api.me.handle}`),
    h('p', {}, 'Pick a conversation, or search the directory for a person or a company by name.')));
}
