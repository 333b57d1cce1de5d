// The public REST API, and the session (token and account) kept in localStorage so a reload keeps it.

const SESSION_KEY = 'switchboard.session';

/** A failure the server (or the network) reported: `status`, `code` and a readable `message`. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Messages for the codes a person meets often; the server's own sentence is used for the rest.
const FRIENDLY = {
  invalid_credentials: 'Wrong handle or password.',
  handle_taken: 'That handle is already taken. Try another one.',
  invalid_handle: 'A handle is 3 to 32 characters: a letter first, then letters, digits or _.',
  weak_password: 'Choose a longer password (at least 8 characters).',
  rate_limited: 'Too many attempts. Wait a moment and try again.',
  media_unavailable: 'Attachments are not available on this server right now. Try again later.',
  media_too_large: 'That file is too large to send.',
  media_relay_unavailable: 'Calls are not available on this server right now. Try again later.',
  business_only: 'Only business accounts have telephony settings.',
  invalid_name: 'Give the phone a name of 1 to 64 characters.',
  too_many_devices: 'You already have 10 SIP phones, the most an account can have. Delete one to add another.',
  network: 'The server cannot be reached. Check your connection and try again.',
};

export function friendlyMessage(code, fallback) {
  return FRIENDLY[code] || fallback || 'Something went wrong.';
}

async function errorFrom(response) {
  let code = `http_${response.status}`;
  let message = '';
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || '';
    }
  } catch {
    // not JSON: keep the status
  }
  if (response.status === 429) code = code === `http_429` ? 'rate_limited' : code;
  return new ApiError(response.status, code, friendlyMessage(code, message || `The server answered ${response.status}.`));
}

export class Api {
  constructor(base = '') {
    this.base = base;
    this.session = loadSession();
    /** Called when the server no longer accepts the token (logged out elsewhere, expired). */
    this.onUnauthorized = () => {};
  }

  get token() {
    return this.session ? this.session.token : null;
  }

  get me() {
    return this.session ? this.session.account : null;
  }

  /** `keepalive` lets a request outlive the page (a hang-up sent while the tab closes). */
  async request(method, path, body, {keepalive = false} = {}) {
    const headers = {Accept: 'application/json'};
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(this.base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), keepalive,
      });
    } catch {
      throw new ApiError(0, 'network', friendlyMessage('network'));
    }
    if (!response.ok) {
      const error = await errorFrom(response);
      if (response.status === 401 && this.token && path !== '/api/v1/sessions') this.onUnauthorized(error);
      throw error;
    }
    if (response.status === 204) return null;
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  // ---- accounts and sessions

  async signUp({handle, displayName, password, kind}) {
    await this.request('POST', '/api/v1/accounts', {handle, displayName, password, kind});
    return this.logIn(handle, password);
  }

  async logIn(handle, password) {
    const answer = await this.request('POST', '/api/v1/sessions', {handle, password, deviceName: deviceName()});
    this.setSession({token: answer.token, account: answer.account});
    return answer.account;
  }

  async logOut() {
    try {
      if (this.token) await this.request('DELETE', '/api/v1/sessions/current');
    } finally {
      this.setSession(null);
    }
  }

  async refreshMe() {
    const account = await this.request('GET', '/api/v1/me');
    this.setSession({...this.session, account});
    return account;
  }

  setSession(session) {
    this.session = session;
    if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
    else localStorage.removeItem(SESSION_KEY);
  }

  profile(handle) {
    return this.request('GET', `/api/v1/accounts/${encodeURIComponent(handle)}`);
  }

  directory(q, {kind, limit = 20} = {}) {
    const params = new URLSearchParams({q, limit: String(limit)});
    if (kind) params.set('kind', kind);
    return this.request('GET', `/api/v1/directory?${params}`).then((r) => r.results);
  }

  // ---- conversations

  conversations() {
    return this.request('GET', '/api/v1/conversations').then((r) => r.conversations);
  }

  conversation(id) {
    return this.request('GET', `/api/v1/conversations/${enc(id)}`);
  }

  openDirect(handle) {
    return this.request('POST', '/api/v1/conversations', {kind: 'direct', with: handle});
  }

  createGroup(title, members) {
    return this.request('POST', '/api/v1/conversations', {kind: 'group', title, members});
  }

  rename(id, title) {
    return this.request('PATCH', `/api/v1/conversations/${enc(id)}`, {title});
  }

  addMember(id, handle) {
    return this.request('POST', `/api/v1/conversations/${enc(id)}/members`, {handle});
  }

  removeMember(id, handle) {
    return this.request('DELETE', `/api/v1/conversations/${enc(id)}/members/${enc(handle)}`);
  }

  // ---- messages

  /** Newest first, older than `before` (a seq) when given. */
  messages(id, {before, limit = 50} = {}) {
    const params = new URLSearchParams({limit: String(limit)});
    if (before !== undefined && before !== null) params.set('before', String(before));
    return this.request('GET', `/api/v1/conversations/${enc(id)}/messages?${params}`).then((r) => r.messages);
  }

  /** Sends once: retrying with the same clientMsgId returns the stored message. */
  send(id, clientMsgId, body) {
    return this.request('PUT', `/api/v1/conversations/${enc(id)}/messages/${enc(clientMsgId)}`, body);
  }

  edit(id, messageId, text) {
    return this.request('PATCH', `/api/v1/conversations/${enc(id)}/messages/${enc(messageId)}`, {text});
  }

  deleteMessage(id, messageId) {
    return this.request('DELETE', `/api/v1/conversations/${enc(id)}/messages/${enc(messageId)}`);
  }

  react(id, messageId, emoji) {
    return this.request('POST', `/api/v1/conversations/${enc(id)}/messages/${enc(messageId)}/reactions`, {emoji});
  }

  markRead(id, seq) {
    return this.request('POST', `/api/v1/conversations/${enc(id)}/read`, {seq});
  }

  // ---- media

  /**
   * Uploads a file as the raw body with its own type; `onProgress(fraction)` follows the upload.
   * Resolves to {mediaId, size, contentType}. XMLHttpRequest because fetch reports no upload progress.
   */
  upload(file, onProgress = () => {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `${this.base}/api/v1/media`);
      xhr.setRequestHeader('Authorization', `Bearer ${this.token}`);
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      xhr.responseType = 'json';
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      };
      xhr.onload = () => {
        if (xhr.status === 201 || xhr.status === 200) {
          onProgress(1);
          resolve(xhr.response);
          return;
        }
        const error = xhr.response && xhr.response.error;
        const code = error ? error.code : `http_${xhr.status}`;
        reject(new ApiError(xhr.status, code, friendlyMessage(code, error && error.message)));
      };
      xhr.onerror = () => reject(new ApiError(0, 'network', friendlyMessage('network')));
      xhr.send(file);
    });
  }

  /** The bytes of an attachment as a Blob (the endpoint needs the token, so an <img src> cannot load it). */
  async media(mediaId) {
    let response;
    try {
      response = await fetch(`${this.base}/api/v1/media/${enc(mediaId)}`, {
        headers: {Authorization: `Bearer ${this.token}`},
      });
    } catch {
      throw new ApiError(0, 'network', friendlyMessage('network'));
    }
    if (!response.ok) throw await errorFrom(response);
    return response.blob();
  }

  // ---- calls (docs/calls.md)

  iceServers() {
    return this.request('GET', '/api/v1/calls/ice-servers').then((r) => r.iceServers || []);
  }

  /** Resolves to {id, state}: state is 'ringing', or 'busy' when the callee is in another call. */
  startCall(to, sdp, video) {
    return this.request('POST', '/api/v1/calls', {to, sdp, video});
  }

  answerCall(id, sdp) {
    return this.request('POST', `/api/v1/calls/${enc(id)}/answer`, {sdp});
  }

  /** One ICE candidate: {candidate, sdpMid, sdpMLineIndex}. */
  sendCandidate(id, candidate) {
    return this.request('POST', `/api/v1/calls/${enc(id)}/candidates`, candidate);
  }

  /** reason: 'hangup', 'decline' or 'busy'. */
  hangUp(id, reason, {keepalive = false} = {}) {
    return this.request('POST', `/api/v1/calls/${enc(id)}/hangup`, {reason}, {keepalive});
  }

  /** Renegotiation in an answered call: {type: 'offer'|'answer', sdp, video}. */
  sendSdp(id, description) {
    return this.request('POST', `/api/v1/calls/${enc(id)}/sdp`, description);
  }

  /** Newest first, older than the call `before` when given. */
  calls({before, limit = 50} = {}) {
    const params = new URLSearchParams({limit: String(limit)});
    if (before) params.set('before', before);
    return this.request('GET', `/api/v1/calls?${params}`).then((r) => r.calls);
  }

  // ---- telephony: a company's SIP trunks and routing rules (business accounts; docs/routing.md)

  /** By priority, each with its live status; never a password. */
  trunks() {
    return this.request('GET', '/api/v1/trunks').then((r) => r.trunks);
  }

  /** {name, mode, host, port, transport, username, password, realm, priority, weight, maxChannels}. */
  addTrunk(trunk) {
    return this.request('POST', '/api/v1/trunks', trunk);
  }

  deleteTrunk(id) {
    return this.request('DELETE', `/api/v1/trunks/${enc(id)}`);
  }

  /** The stored rules; an ApiError 404 `no_routing` until some were saved. */
  routing() {
    return this.request('GET', '/api/v1/routing');
  }

  /** Replaces the whole document, or (400 `invalid_routing`, the message naming the field) nothing. */
  saveRouting(rules) {
    return this.request('PUT', '/api/v1/routing', rules);
  }

  // ---- SIP phones of people and businesses (docs/sip-devices.md)

  /** Each with `registered` and `registeredUntil`; never a password. */
  sipDevices() {
    return this.request('GET', '/api/v1/sip-devices').then((r) => r.devices);
  }

  /** {id, name, username, password, realm, registrar}: the only answer that ever holds the password. */
  addSipDevice(name) {
    return this.request('POST', '/api/v1/sip-devices', {name});
  }

  deleteSipDevice(id) {
    return this.request('DELETE', `/api/v1/sip-devices/${enc(id)}`);
  }
}

function enc(value) {
  return encodeURIComponent(value);
}

function loadSession() {
  try {
    const session = JSON.parse(localStorage.getItem(SESSION_KEY));
    return session && session.token ? session : null;
  } catch {
    return null;
  }
}

function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom/.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  return `Web (${browser})`;
}

/** A new random client message id: a retried send reuses it, so nothing is sent twice. */
export function newClientMsgId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
