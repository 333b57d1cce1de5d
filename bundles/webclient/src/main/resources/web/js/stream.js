// The real-time stream: one WebSocket to /api/v1/stream. It authenticates with the token and the
// cursor of the last update handled (`since`), so after any drop the server sends what was missed,
// in order, once. Reconnects with backoff; pings every 25 s and treats a silent socket as dropped.
//
// Events (EventTarget): 'state' {detail: 'connecting'|'live'|'reconnecting'|'stopped'},
// 'update' {detail: {type, data, cursor}}, 'ready' {detail: {resumed}}, 'authfailed'.

const PING_EVERY_MS = 25_000;
const PONG_WITHIN_MS = 10_000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
const CLOSE_AUTH_FAILED = 4401;
const CLOSE_BAD_CURSOR = 4400;

export class Stream extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.token bearer token of the session
   * @param {string} options.cursorKey where the last cursor is kept (one per account)
   * @param {string} [options.url] defaults to this page's origin
   */
  constructor({token, cursorKey, url}) {
    super();
    this.token = token;
    this.cursorKey = cursorKey;
    this.url = url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/stream`;
    this.cursor = localStorage.getItem(cursorKey);
    this.state = 'stopped';
    this.socket = null;
    this.attempt = 0;
    this.timers = {};
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.drop('the network is offline');
  }

  start() {
    if (this.state !== 'stopped') return;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.connect('connecting');
  }

  stop() {
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.clearTimers();
    this.closeSocket();
    this.setState('stopped');
  }

  /** Sends a client frame when live; returns false (and drops it) otherwise. */
  send(frame) {
    if (this.state !== 'live') return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  connect(state) {
    this.clearTimers();
    this.closeSocket();
    this.setState(state);
    if (!navigator.onLine) return; // 'online' brings us back
    const socket = new WebSocket(this.url);
    this.socket = socket;
    const resumed = Boolean(this.cursor);
    socket.onopen = () => {
      const auth = {type: 'auth', token: this.token};
      if (this.cursor) auth.since = this.cursor;
      socket.send(JSON.stringify(auth));
    };
    socket.onmessage = (e) => {
      if (socket !== this.socket) return;
      this.heard();
      this.receive(e.data, resumed);
    };
    socket.onclose = (e) => {
      if (socket !== this.socket) return;
      this.socket = null;
      if (e.code === CLOSE_AUTH_FAILED) {
        this.stop();
        this.dispatchEvent(new CustomEvent('authfailed'));
        return;
      }
      if (e.code === CLOSE_BAD_CURSOR) this.saveCursor(null); // start afresh; the app reloads on 'ready'
      this.scheduleReconnect();
    };
  }

  receive(text, resumed) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (frame.type === 'pong' || frame.type === 'error') return;
    if (frame.type === 'ready') {
      this.attempt = 0;
      if (frame.data && frame.data.cursor) this.saveCursor(frame.data.cursor);
      this.setState('live');
      this.schedulePing();
      this.dispatchEvent(new CustomEvent('ready', {detail: {resumed}}));
      return;
    }
    this.dispatchEvent(new CustomEvent('update', {detail: {type: frame.type, data: frame.data, cursor: frame.cursor}}));
    // Kept only after the update was handled, so a crash in between replays it rather than losing it.
    if (frame.cursor) this.saveCursor(frame.cursor);
  }

  /** The socket is gone (or about to be): show it and try again. */
  drop(reason) {
    if (this.state === 'stopped') return;
    this.closeSocket(reason);
    this.scheduleReconnect();
  }

  reconnectNow() {
    if (this.state === 'stopped') return;
    this.attempt = 0;
    this.connect('reconnecting');
  }

  scheduleReconnect() {
    if (this.state === 'stopped') return;
    this.clearTimers();
    this.setState('reconnecting');
    if (!navigator.onLine) return;
    const wait = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    // A little jitter so many clients do not come back in the same instant after a server restart.
    this.timers.retry = setTimeout(() => this.connect('reconnecting'), wait + Math.random() * 250);
  }

  schedulePing() {
    clearTimeout(this.timers.ping);
    this.timers.ping = setTimeout(() => {
      if (!this.send({type: 'ping'})) return;
      this.timers.silence = setTimeout(() => this.drop('no answer to ping'), PONG_WITHIN_MS);
    }, PING_EVERY_MS);
  }

  /** Any frame proves the socket alive. */
  heard() {
    clearTimeout(this.timers.silence);
    if (this.state === 'live') this.schedulePing();
  }

  saveCursor(cursor) {
    this.cursor = cursor;
    if (cursor) localStorage.setItem(this.cursorKey, cursor);
    else localStorage.removeItem(this.cursorKey);
  }

  closeSocket(reason = 'closing') {
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, reason);
  }

  clearTimers() {
    for (const timer of Object.values(this.timers)) clearTimeout(timer);
    this.timers = {};
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', {detail: state}));
  }
}
