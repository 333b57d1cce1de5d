// What the client knows about conversations and messages, kept current from REST answers and stream
// updates. Screens read from it and listen to its events; every change arrives here first.
//
// Events: 'conversations' (the list changed), 'message' {conversationId, message},
// 'typing' {conversationId, handle}, 'read' {conversationId, handle, seq},
// 'conversation' {conversation} (members or title changed), 'left' {conversationId}.

const PAGE = 50;

export class ChatState extends EventTarget {
  constructor(api) {
    super();
    this.api = api;
    this.conversations = new Map();
    this.messages = new Map(); // conversationId → Map(seq → message), only for conversations opened
    this.history = new Map(); // conversationId → {oldest, complete}
    this.reads = new Map(); // conversationId → Map(handle → seq)
    this.visible = null; // the conversation on screen, whose messages count as read
  }

  get me() {
    return this.api.me;
  }

  // ---- conversations

  async loadConversations() {
    const list = await this.api.conversations();
    this.conversations = new Map(list.map((c) => [c.id, c]));
    list.forEach((c) => this.seedReads(c));
    this.emit('conversations');
    return list;
  }

  /** Most recent activity first. */
  list() {
    return [...this.conversations.values()].sort((a, b) => activity(b).localeCompare(activity(a)));
  }

  async conversation(id) {
    if (this.conversations.has(id)) return this.conversations.get(id);
    const c = await this.api.conversation(id);
    this.conversations.set(id, c);
    this.seedReads(c);
    this.emit('conversations');
    return c;
  }

  remember(conversation) {
    const known = this.conversations.get(conversation.id) || {};
    this.conversations.set(conversation.id, {...known, ...withoutEventFields(conversation)});
    this.emit('conversations');
    this.emit('conversation', {conversation: this.conversations.get(conversation.id)});
  }

  /** A group's title, or the other person's name in a direct conversation. */
  title(c) {
    if (!c) return '';
    if (c.kind === 'group') return c.title || 'Group';
    const other = (c.members || []).find((m) => m.handle !== this.me.handle);
    return other ? other.displayName || other.handle : 'Just you';
  }

  other(c) {
    return c && c.kind === 'direct' ? (c.members || []).find((m) => m.handle !== this.me.handle) : null;
  }

  myRole(c) {
    const mine = (c.members || []).find((m) => m.handle === this.me.handle);
    return mine ? mine.role : null;
  }

  // ---- messages

  messagesOf(id) {
    const byseq = this.messages.get(id);
    return byseq ? [...byseq.values()].sort((a, b) => a.seq - b.seq) : [];
  }

  hasOlder(id) {
    const h = this.history.get(id);
    return !h || !h.complete;
  }

  /** The newest page; merged with whatever is already known, so it can be called again after a reconnect. */
  async loadLatest(id) {
    const page = await this.api.messages(id, {limit: PAGE});
    const h = this.history.get(id);
    if (!h) this.history.set(id, {oldest: oldestOf(page), complete: page.length < PAGE});
    page.forEach((m) => this.store(m));
    return page;
  }

  async loadOlder(id) {
    const h = this.history.get(id);
    if (!h) return this.loadLatest(id);
    if (h.complete) return [];
    const page = await this.api.messages(id, {before: h.oldest, limit: PAGE});
    h.complete = page.length < PAGE;
    if (page.length) h.oldest = oldestOf(page);
    page.forEach((m) => this.store(m));
    return page;
  }

  /** Keeps a message (new or changed) and tells the screens; never keeps the same seq twice. */
  store(message) {
    let byseq = this.messages.get(message.conversationId);
    if (!byseq) {
      if (!this.history.has(message.conversationId)) return; // not opened yet: loaded from REST when it is
      byseq = new Map();
      this.messages.set(message.conversationId, byseq);
    }
    const known = byseq.get(message.seq);
    if (known && sameVersion(known, message)) return;
    byseq.set(message.seq, message);
    this.emit('message', {conversationId: message.conversationId, message});
  }

  // ---- reads

  /** Read marks the server lists per member (answers to GET carry them; events do not). */
  seedReads(c) {
    for (const m of c.members || []) {
      if (typeof m.readSeq !== 'number') continue;
      let reads = this.reads.get(c.id);
      if (!reads) {
        reads = new Map();
        this.reads.set(c.id, reads);
      }
      reads.set(m.handle, Math.max(reads.get(m.handle) || 0, m.readSeq));
    }
  }

  readsOf(id) {
    return this.reads.get(id) || new Map();
  }

  /** The highest seq every other member has read. */
  readByOthers(id) {
    const c = this.conversations.get(id);
    if (!c) return 0;
    const others = (c.members || []).filter((m) => m.handle !== this.me.handle);
    if (!others.length) return 0;
    const reads = this.readsOf(id);
    return Math.min(...others.map((m) => reads.get(m.handle) || 0));
  }

  /** Moves my read mark to the newest message when the conversation is on screen and has unread ones. */
  async markRead(id) {
    const c = this.conversations.get(id);
    if (!c || this.visible !== id || document.visibilityState !== 'visible') return;
    const last = c.lastSeq || (c.lastMessage ? c.lastMessage.seq : 0);
    if (!last || (c.readSeq || 0) >= last) return;
    c.readSeq = last;
    c.unread = 0;
    this.emit('conversations');
    try {
      await this.api.markRead(id, last);
    } catch {
      c.readSeq = 0; // try again on the next occasion
    }
  }

  // ---- stream updates

  apply({type, data}) {
    switch (type) {
      case 'message.created':
      case 'message.updated':
      case 'message.deleted':
        return this.onMessage(type, data);
      case 'reaction':
        return this.onReaction(data);
      case 'read':
        return this.onRead(data);
      case 'typing':
        if (data.handle !== this.me.handle) this.emit('typing', data);
        return undefined;
      case 'conversation.updated':
        return this.onConversation(data);
      default:
        return undefined; // events of features this client does not show yet
    }
  }

  onMessage(type, message) {
    const c = this.conversations.get(message.conversationId);
    if (!c) {
      // A conversation created by someone else: its first message brings it here.
      this.conversation(message.conversationId).catch(() => {});
      return;
    }
    const newer = !c.lastMessage || message.seq >= c.lastMessage.seq;
    if (newer) {
      if (type === 'message.created' && (!c.lastMessage || message.seq > c.lastMessage.seq)
          && message.sender !== this.me.handle && (c.readSeq || 0) < message.seq) {
        c.unread = (c.unread || 0) + 1;
      }
      c.lastMessage = message;
      c.lastSeq = Math.max(c.lastSeq || 0, message.seq);
      if (message.sender === this.me.handle) c.readSeq = Math.max(c.readSeq || 0, message.seq);
    }
    this.store(message);
    this.emit('conversations');
    if (type === 'message.created' && message.sender !== this.me.handle) this.markRead(message.conversationId);
  }

  onReaction(event) {
    const byseq = this.messages.get(event.conversationId);
    const known = byseq && byseq.get(event.seq);
    if (known) this.store({...known, reactions: event.reactions});
  }

  onRead({conversationId, handle, seq}) {
    let reads = this.reads.get(conversationId);
    if (!reads) {
      reads = new Map();
      this.reads.set(conversationId, reads);
    }
    reads.set(handle, Math.max(reads.get(handle) || 0, seq));
    const c = this.conversations.get(conversationId);
    if (c && handle === this.me.handle && (c.readSeq || 0) < seq) {
      c.readSeq = seq;
      c.unread = seq >= (c.lastSeq || 0) ? 0 : c.unread;
      this.emit('conversations');
    }
    this.emit('read', {conversationId, handle, seq});
  }

  onConversation(c) {
    const gone = (c.change === 'member_removed' || c.change === 'member_left') && c.subject === this.me.handle;
    if (gone) {
      this.conversations.delete(c.id);
      this.emit('conversations');
      this.emit('left', {conversationId: c.id});
      return;
    }
    this.remember(c);
  }

  /** Forgets a conversation this account left. */
  forget(id) {
    this.conversations.delete(id);
    this.messages.delete(id);
    this.history.delete(id);
    this.emit('conversations');
  }

  emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, {detail}));
  }
}

function activity(c) {
  return (c.lastMessage && c.lastMessage.sentAt) || c.createdAt || '';
}

function oldestOf(page) {
  return page.length ? Math.min(...page.map((m) => m.seq)) : 0;
}

function sameVersion(a, b) {
  return a.editedAt === b.editedAt && a.deleted === b.deleted
    && JSON.stringify(a.reactions) === JSON.stringify(b.reactions);
}

function withoutEventFields(c) {
  const {change, actor, subject, ...rest} = c;
  return rest;
}
