// A call between two people (docs/calls.md): one at a time on this device. The media goes browser to
// browser over an RTCPeerConnection; offer, answer, ICE candidates and hang-up go over REST and come
// back as stream updates (call.incoming, call.answered, call.ringing, call.candidate, call.sdp, call.ended).
//
// States: 'idle', 'calling' (the offer is being made and sent), 'ringing' (the other side rings),
// 'incoming' (this device rings), 'connecting' (answered, media not through yet), 'connected',
// 'reconnecting' (the connection dropped for a moment), 'ended' (shown briefly, then 'idle').
//
// Events (EventTarget): 'change' (anything shown changed), 'history' (a call was made or ended, so
// the list of calls is different).

const ENDED_SHOWN_MS = 2500;
const FAILED_SHOWN_MS = 4000;
const LIVE = ['calling', 'ringing', 'incoming', 'connecting', 'connected', 'reconnecting'];
/** An async step found its call gone (hung up meanwhile): stop quietly. */
const GONE = Symbol('call gone');

/** What the ended screen says, by the server's reason and who placed the call. */
function endedText(reason, outgoing) {
  switch (reason) {
    case 'declined': return 'Declined';
    case 'busy': return 'Busy';
    case 'missed': return outgoing ? 'No answer' : 'Missed call';
    case 'cancelled': return outgoing ? 'Cancelled' : 'Missed call';
    case 'answered_elsewhere': return 'Answered on another device';
    case 'failed': return 'Call failed';
    case 'lost': return 'Connection lost';
    default: return 'Call ended';
  }
}

/** A readable sentence for a getUserMedia refusal (or any other failure). */
function mediaProblem(error, video) {
  const what = video ? 'microphone and camera' : 'microphone';
  if (error && error.name === 'NotAllowedError') return `Allow this page to use your ${what} to make calls.`;
  if (error && error.name === 'NotFoundError') return `No ${what} found on this device.`;
  if (error && error.name === 'NotReadableError') return `Your ${what} is in use by another program.`;
  return (error && error.message) || 'The call could not be set up.';
}

function stopTracks(stream) {
  if (stream) for (const track of stream.getTracks()) track.stop();
}

/** Microphone, and the camera when asked; a video call without a camera goes on with sound only. */
async function getMedia(video) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error('This browser cannot make calls here (it needs a secure https:// page).');
  }
  try {
    return await navigator.mediaDevices.getUserMedia({audio: true, video});
  } catch (e) {
    if (!video || e.name === 'NotAllowedError') throw e;
    return navigator.mediaDevices.getUserMedia({audio: true, video: false});
  }
}

export class CallManager extends EventTarget {
  /**
   * @param {Api} api
   * @param {object} options
   * @param {(message: string) => void} options.notify shows a short message to the person
   */
  constructor(api, {notify}) {
    super();
    this.api = api;
    this.notify = notify;
    this.state = 'idle';
    /** {id, peer: {handle, displayName}, video, outgoing, offer, answered, signalling} or null */
    this.call = null;
    this.pc = null;
    this.local = null; // this device's microphone (and camera)
    this.remote = null; // what the other party sends
    this.muted = false;
    this.cameraOn = false;
    this.connectedAt = null;
    this.endedText = '';
    this.answeredHere = new Set(); // calls this device answered: their answered_elsewhere is not for it
    this.remoteReady = false; // the remote description is set: candidates can be added
    this.remoteCandidates = []; // arrived before that
    this.localCandidates = []; // found before the server knows the call (no id yet, or not answered yet)
    this.early = []; // updates that arrived while POST /calls was still out (no id to match yet)
    this.work = Promise.resolve(); // stream updates are handled one after the other
    this.closeTimer = null;
  }

  get id() {
    return this.call ? this.call.id : null;
  }

  /** A call is being set up, rings or goes on. */
  get live() {
    return LIVE.includes(this.state);
  }

  /** The other party sends a picture right now. */
  get remoteVideo() {
    return Boolean(this.remote) && this.remote.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted);
  }

  // ---- what the person does

  /** Calls `peer` ({handle, displayName}); failures are shown on the call screen. */
  async start(peer, {video = false} = {}) {
    if (this.live) throw new Error('You are already in a call. Hang up first.');
    const call = this.begin({id: null, peer, video, outgoing: true});
    this.setState('calling');
    try {
      await this.prepare(call, video);
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
      this.check(call);
      const started = await this.api.startCall(peer.handle, this.pc.localDescription.sdp, video);
      if (!this.current(call)) {
        // Hung up while the offer was on its way: the server has a ringing call to cancel.
        this.api.hangUp(started.id, 'hangup').catch(() => {});
        return;
      }
      call.id = started.id;
      this.emit('history');
      if (started.state === 'busy') {
        this.finish(call, 'busy');
        return;
      }
      this.setState('ringing');
      this.startSignalling(call);
      const early = this.early.filter((u) => u.data && u.data.id === call.id);
      this.early = [];
      early.forEach((u) => this.apply(u));
    } catch (e) {
      this.failed(call, e);
    }
  }

  /** Takes the ringing call on this device. */
  async answer() {
    const call = this.call;
    if (!call || this.state !== 'incoming') return;
    // Before the POST: the answered_elsewhere sent to all my devices must not close this one.
    this.answeredHere.add(call.id);
    this.setState('connecting');
    try {
      await this.prepare(call, call.video);
      await this.pc.setRemoteDescription({type: 'offer', sdp: call.offer});
      await this.remoteDescriptionSet(call);
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
      this.check(call);
      await this.api.answerCall(call.id, this.pc.localDescription.sdp);
      this.check(call);
      call.answered = true;
      this.startSignalling(call);
      this.emit();
    } catch (e) {
      if (e && e.code === 'call_not_ringing' && this.current(call)) {
        this.finish(call, 'ended');
        return;
      }
      this.failed(call, e);
    }
  }

  decline() {
    if (this.state === 'incoming') this.hangUp();
  }

  /** Hangs up (or cancels a call not answered yet, or declines a ringing one). */
  hangUp() {
    const call = this.call;
    if (!call || !this.live) return;
    const declining = this.state === 'incoming';
    if (call.id) this.api.hangUp(call.id, declining ? 'decline' : 'hangup').catch(() => {});
    this.finish(call, declining ? 'declined' : call.answered || !call.outgoing ? 'hangup' : 'cancelled');
  }

  toggleMute() {
    if (!this.local) return;
    this.muted = !this.muted;
    for (const track of this.local.getAudioTracks()) track.enabled = !this.muted;
    this.emit();
  }

  /** Camera on (a video track is added or resumed) or off (stopped); either way a new offer goes out. */
  async toggleCamera() {
    const call = this.call;
    if (!call || !call.answered || !this.pc || !this.live) return;
    const on = !this.cameraOn;
    try {
      const transceiver = this.videoTransceiver();
      if (on) {
        const camera = await navigator.mediaDevices.getUserMedia({video: true});
        const track = camera.getVideoTracks()[0];
        if (!this.current(call)) {
          track.stop();
          return;
        }
        this.local.addTrack(track);
        if (transceiver) {
          await transceiver.sender.replaceTrack(track);
          transceiver.direction = 'sendrecv';
        } else {
          this.pc.addTrack(track, this.local);
        }
      } else {
        for (const track of this.local.getVideoTracks()) {
          track.stop();
          this.local.removeTrack(track);
        }
        if (transceiver) {
          await transceiver.sender.replaceTrack(null);
          transceiver.direction = 'recvonly';
        }
      }
      this.cameraOn = on;
      this.emit();
      await this.offerAgain(call);
    } catch (e) {
      if (e !== GONE && this.current(call)) this.notify(on ? mediaProblem(e, true) : 'The camera could not be switched off.');
    }
  }

  /** The session ends (log out): nothing of the call may stay. */
  stop() {
    this.hangUp();
    this.teardown();
    clearTimeout(this.closeTimer);
    this.call = null;
    this.setState('idle');
  }

  /** The page goes away: the call this device holds ends with it (a ringing one may ring elsewhere). */
  leave() {
    const call = this.call;
    if (!call || !call.id || !this.live || this.state === 'incoming') return;
    this.api.hangUp(call.id, 'hangup', {keepalive: true}).catch(() => {});
  }

  // ---- stream updates

  apply(update) {
    const {type, data} = update;
    if (!type.startsWith('call.') || !data) return;
    if (type === 'call.ended') this.emit('history');
    // While POST /calls is out this device cannot tell its own call's updates: keep them for then.
    if (type !== 'call.incoming' && this.call && this.call.outgoing && !this.call.id && this.live) {
      this.early.push(update);
      return;
    }
    const step = {
      'call.incoming': () => this.onIncoming(data),
      'call.answered': () => this.onAnswered(data),
      'call.ringing': () => this.onRinging(data),
      'call.candidate': () => this.onCandidate(data),
      'call.sdp': () => this.onSdp(data),
      'call.ended': () => this.onEnded(data),
    }[type];
    if (step) this.work = this.work.then(step).catch(() => {});
  }

  onIncoming(data) {
    if (this.answeredHere.has(data.id) || (this.call && this.call.id === data.id)) return;
    this.emit('history');
    if (this.live) {
      // Already in a call here: the caller hears "busy" at once.
      this.api.hangUp(data.id, 'busy').catch(() => {});
      return;
    }
    this.begin({id: data.id, peer: data.from, video: Boolean(data.video), outgoing: false, offer: data.sdp});
    this.setState('incoming');
  }

  async onAnswered(data) {
    const call = this.call;
    if (!call || call.id !== data.id || !call.outgoing || this.state !== 'ringing') return;
    call.answered = true;
    this.setState('connecting');
    try {
      await this.pc.setRemoteDescription({type: 'answer', sdp: data.sdp});
      await this.remoteDescriptionSet(call);
    } catch (e) {
      this.failed(call, e);
    }
  }

  /** A company's phone system rings; with SDP it already plays early media (a provisional answer). */
  async onRinging(data) {
    const call = this.call;
    if (!call || call.id !== data.id || !call.outgoing || this.state !== 'ringing' || !data.sdp) return;
    try {
      await this.pc.setRemoteDescription({type: 'pranswer', sdp: data.sdp});
    } catch (e) {
      this.failed(call, e);
    }
  }

  async onCandidate(data) {
    const call = this.call;
    if (!call || call.id !== data.id || !this.live) return;
    const candidate = {candidate: data.candidate, sdpMid: data.sdpMid, sdpMLineIndex: data.sdpMLineIndex};
    if (candidate.sdpMid == null && candidate.sdpMLineIndex == null) candidate.sdpMLineIndex = 0;
    if (!this.remoteReady) {
      this.remoteCandidates.push(candidate);
      return;
    }
    await this.addCandidate(candidate);
  }

  /** The other side renegotiates (camera on or off), or answers this side's new offer. */
  async onSdp(data) {
    const call = this.call;
    const pc = this.pc;
    if (!call || call.id !== data.id || !pc || !this.live) return;
    try {
      if (data.type === 'offer') {
        if (pc.signalingState !== 'stable') {
          // Both offered at once: the caller's offer wins; the callee takes it and offers again after.
          if (call.outgoing) return;
          await pc.setLocalDescription({type: 'rollback'});
          call.offerAgain = true;
        }
        await pc.setRemoteDescription({type: 'offer', sdp: data.sdp});
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        this.check(call);
        await this.api.sendSdp(call.id, {type: 'answer', sdp: pc.localDescription.sdp, video: this.cameraOn});
      } else if (data.type === 'answer' && pc.signalingState === 'have-local-offer') {
        await pc.setRemoteDescription({type: 'answer', sdp: data.sdp});
      }
      this.emit();
      if (call.offerAgain && pc.signalingState === 'stable') await this.offerAgain(call);
    } catch (e) {
      if (e !== GONE && this.current(call)) this.notify('The call could not switch video on or off.');
    }
  }

  onEnded(data) {
    const call = this.call;
    if (!call || call.id !== data.id || !this.current(call)) return;
    // This device answered: the call goes on here; the other devices of mine stop ringing.
    if (data.reason === 'answered_elsewhere' && this.answeredHere.has(data.id)) return;
    this.finish(call, data.reason);
  }

  // ---- inside

  begin(call) {
    clearTimeout(this.closeTimer);
    this.teardown();
    this.call = {answered: false, signalling: false, offerAgain: false, over: false, ...call};
    this.muted = false;
    this.cameraOn = false;
    this.connectedAt = null;
    this.endedText = '';
    this.remoteReady = false;
    this.remoteCandidates = [];
    this.localCandidates = [];
    this.early = [];
    return this.call;
  }

  /** Microphone (and camera), the ICE servers, and the peer connection with this device's tracks. */
  async prepare(call, video) {
    const local = await getMedia(video);
    if (!this.current(call)) {
      stopTracks(local);
      throw GONE;
    }
    this.local = local;
    this.cameraOn = local.getVideoTracks().length > 0;
    const iceServers = await this.api.iceServers();
    this.check(call);
    const pc = new RTCPeerConnection({iceServers});
    this.pc = pc;
    this.remote = new MediaStream();
    for (const track of local.getTracks()) pc.addTrack(track, local);
    pc.onicecandidate = (e) => {
      if (this.pc === pc && e.candidate && e.candidate.candidate) this.sendCandidate(call, e.candidate);
    };
    pc.ontrack = (e) => {
      if (this.pc === pc) this.addRemoteTrack(e.track);
    };
    pc.onconnectionstatechange = () => this.onConnection(pc);
    pc.oniceconnectionstatechange = () => this.onConnection(pc);
    this.emit();
  }

  /** The call has an id the server accepts candidates for: send what was found so far. */
  startSignalling(call) {
    call.signalling = true;
    for (const candidate of this.localCandidates.splice(0)) this.postCandidate(call, candidate);
  }

  sendCandidate(call, c) {
    const candidate = {candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex};
    if (call.signalling) this.postCandidate(call, candidate);
    else this.localCandidates.push(candidate);
  }

  postCandidate(call, candidate) {
    // A candidate lost (or refused because the call just ended) is one path fewer; ICE copes.
    this.api.sendCandidate(call.id, candidate).catch(() => {});
  }

  async remoteDescriptionSet(call) {
    this.check(call);
    this.remoteReady = true;
    for (const candidate of this.remoteCandidates.splice(0)) await this.addCandidate(candidate);
  }

  async addCandidate(candidate) {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch {
      // a candidate for a media section this side does not have: nothing to do
    }
  }

  addRemoteTrack(track) {
    if (this.remote.getTracks().includes(track)) {
      this.emit(); // the same track again (the other side sends video again after a pause)
      return;
    }
    this.remote.addTrack(track);
    const changed = () => this.emit();
    track.addEventListener('mute', changed);
    track.addEventListener('unmute', changed);
    track.addEventListener('ended', changed);
    this.emit();
  }

  videoTransceiver() {
    return this.pc.getTransceivers().find((t) => !t.stopped && t.receiver.track && t.receiver.track.kind === 'video');
  }

  /** A new offer for the changed tracks; after the exchange in progress when there is one. */
  async offerAgain(call) {
    const pc = this.pc;
    if (!pc || !this.current(call)) return;
    if (pc.signalingState !== 'stable') {
      call.offerAgain = true;
      return;
    }
    call.offerAgain = false;
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    this.check(call);
    await this.api.sendSdp(call.id, {type: 'offer', sdp: pc.localDescription.sdp, video: this.cameraOn});
  }

  onConnection(pc) {
    if (this.pc !== pc || !['connecting', 'connected', 'reconnecting'].includes(this.state)) return;
    const state = pc.connectionState;
    const ice = pc.iceConnectionState;
    if (state === 'connected' || ice === 'connected' || ice === 'completed') {
      if (!this.connectedAt) this.connectedAt = Date.now();
      if (this.state !== 'connected') this.setState('connected');
    } else if (state === 'failed' || ice === 'failed') {
      const call = this.call;
      if (call.id) this.api.hangUp(call.id, 'hangup').catch(() => {});
      this.finish(call, this.connectedAt ? 'lost' : 'failed');
    } else if ((state === 'disconnected' || ice === 'disconnected') && this.state === 'connected') {
      this.setState('reconnecting');
    }
  }

  /** `call` is still this device's call and not over (a step that waited may find it hung up). */
  current(call) {
    return this.call === call && !call.over;
  }

  check(call) {
    if (!this.current(call)) throw GONE;
  }

  failed(call, error) {
    if (error === GONE || !this.current(call)) return;
    if (call.id) this.api.hangUp(call.id, 'hangup').catch(() => {});
    this.notify(mediaProblem(error, call.video));
    this.finish(call, 'failed', FAILED_SHOWN_MS);
  }

  /** The call is over: media stopped, the reason shown for a moment, then back to idle. */
  finish(call, reason, shownMs = ENDED_SHOWN_MS) {
    if (!this.current(call)) return;
    call.over = true;
    this.teardown();
    this.endedText = endedText(reason, call.outgoing);
    this.setState('ended');
    this.emit('history');
    this.closeTimer = setTimeout(() => {
      if (this.call !== call) return;
      this.call = null;
      this.setState('idle');
    }, shownMs);
  }

  teardown() {
    if (this.pc) {
      const pc = this.pc;
      pc.onicecandidate = null;
      pc.ontrack = null;
      pc.onconnectionstatechange = null;
      pc.oniceconnectionstatechange = null;
      pc.close();
    }
    this.pc = null;
    stopTracks(this.local);
    stopTracks(this.remote);
    this.local = null;
    this.remote = null;
    this.remoteReady = false;
  }

  setState(state) {
    this.state = state;
    this.emit();
  }

  emit(name = 'change') {
    this.dispatchEvent(new CustomEvent(name));
  }
}
