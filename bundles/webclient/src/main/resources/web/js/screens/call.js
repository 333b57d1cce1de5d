// The call screen, over whatever is open: an incoming call (Answer / Decline), and a call going on
// (state, timer, Mute, Camera, Hang up) with the other party's sound and picture. It follows
// ctx.calls (js/call.js) and is mounted once per session, not by the router, so a call outlives
// any navigation.

import {h} from '../dom.js';
import {initials} from './conversations.js';

const STATE_TEXT = {
  calling: 'Calling…',
  ringing: 'Ringing…',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
};

/** Starts a call from a button (profile, conversation header, call history); problems become a notice. */
export async function startCall(ctx, peer, video) {
  try {
    await ctx.calls.start({handle: peer.handle, displayName: peer.displayName || peer.handle}, {video});
  } catch (e) {
    ctx.notify(e.message);
  }
}

/** A duration as mm:ss (minutes go on past 59). */
export function elapsed(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

export function mount(el, ctx) {
  const calls = ctx.calls;
  const avatar = h('div', {class: 'avatar large', 'aria-hidden': 'true'});
  const name = h('h2', {id: 'call-peer'});
  const handle = h('p', {class: 'handle'});
  const state = h('p', {class: 'call-state', role: 'status', 'aria-live': 'polite', 'data-testid': 'call-state'});
  const timer = h('p', {class: 'call-timer', 'data-testid': 'call-timer', hidden: true});
  // Sound plays through <audio>; the <video> elements are muted so nothing is heard twice.
  const audio = h('audio', {autoplay: true, 'data-testid': 'call-audio'});
  const remoteVideo = h('video', {class: 'remote-video', autoplay: true, playsinline: true, hidden: true,
    'data-testid': 'call-remote-video'});
  const localVideo = h('video', {class: 'local-video', autoplay: true, playsinline: true, hidden: true,
    'aria-label': 'Your camera'});
  remoteVideo.muted = true;
  localVideo.muted = true;

  const answer = h('button', {type: 'button', class: 'primary', 'data-testid': 'call-answer', onclick: () => calls.answer()}, 'Answer');
  const decline = h('button', {type: 'button', class: 'danger', 'data-testid': 'call-decline', onclick: () => calls.decline()}, 'Decline');
  const mute = h('button', {type: 'button', 'aria-pressed': 'false', 'data-testid': 'call-mute', onclick: () => calls.toggleMute()}, 'Mute');
  const camera = h('button', {type: 'button', 'aria-pressed': 'false', 'data-testid': 'call-camera',
    onclick: () => calls.toggleCamera()}, 'Camera');
  const hangUp = h('button', {type: 'button', class: 'danger', 'data-testid': 'call-hangup', onclick: () => calls.hangUp()}, 'Hang up');
  const incoming = h('div', {class: 'call-actions', role: 'group', 'aria-label': 'Incoming call', 'data-testid': 'call-incoming'},
    decline, answer);
  const controls = h('div', {class: 'call-actions', role: 'group', 'aria-label': 'Call controls', 'data-testid': 'call-controls'},
    mute, camera, hangUp);

  const screen = h('section', {class: 'call-screen', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'call-peer',
    'data-testid': 'call-screen', hidden: true},
    remoteVideo,
    h('div', {class: 'call-card'}, avatar, name, handle, state, timer, incoming, controls),
    localVideo, audio);
  el.append(screen);

  let shown = null; // the call on screen
  let focusBefore = null; // given back when the screen closes
  let tick = null;

  function showTimer() {
    timer.hidden = !calls.connectedAt || !['connected', 'reconnecting'].includes(calls.state);
    if (!timer.hidden) timer.textContent = elapsed(Date.now() - calls.connectedAt);
  }

  function attach(media, stream) {
    if (media.srcObject === stream) return;
    media.srcObject = stream;
    if (stream) media.play().catch(() => {}); // autoplay may wait for a gesture; the click was one
  }

  function render() {
    const call = calls.call;
    const s = calls.state;
    if (!call || s === 'idle') {
      close();
      return;
    }
    if (shown !== call) open(call);
    const peer = call.peer || {};
    const who = peer.displayName || peer.handle || '';
    screen.dataset.state = s;
    avatar.textContent = initials(who || '?');
    name.textContent = who;
    handle.textContent = peer.handle ? `@${peer.handle}` : '';
    state.textContent = s === 'incoming' ? (call.video ? 'Incoming video call' : 'Incoming call')
      : s === 'ended' ? calls.endedText : STATE_TEXT[s] || '';
    answer.textContent = call.video ? 'Answer with video' : 'Answer';
    incoming.hidden = s !== 'incoming';
    controls.hidden = s === 'incoming' || s === 'ended';
    // Toggles keep their name; pressed means muted, or the camera is on.
    mute.setAttribute('aria-pressed', String(calls.muted));
    camera.setAttribute('aria-pressed', String(calls.cameraOn));
    // Video can be switched once the call is answered (the server renegotiates only then).
    camera.disabled = !call.answered;
    mute.disabled = !calls.local;
    attach(audio, calls.remote);
    attach(remoteVideo, calls.remote);
    attach(localVideo, calls.cameraOn ? calls.local : null);
    remoteVideo.hidden = !calls.remoteVideo || s === 'ended';
    localVideo.hidden = !calls.cameraOn || s === 'ended';
    screen.classList.toggle('with-video', !remoteVideo.hidden);
    showTimer();
  }

  function open(call) {
    if (!shown) focusBefore = document.activeElement;
    shown = call;
    screen.hidden = false;
    clearInterval(tick);
    tick = setInterval(showTimer, 500);
    // The first thing to do: answer, or (calling) hang up.
    queueMicrotask(() => (calls.state === 'incoming' ? answer : hangUp).focus());
  }

  function close() {
    if (!shown) return;
    shown = null;
    clearInterval(tick);
    screen.hidden = true;
    delete screen.dataset.state;
    attach(audio, null);
    attach(remoteVideo, null);
    attach(localVideo, null);
    if (focusBefore && focusBefore.isConnected) focusBefore.focus({preventScroll: true});
    focusBefore = null;
  }

  calls.addEventListener('change', render);
  render();
  return () => {
    calls.removeEventListener('change', render);
    clearInterval(tick);
    screen.remove();
  };
}
