package io.switchboard.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.chat.ChatStore.SendKey;
import io.switchboard.chat.Views.Attachment;
import io.switchboard.chat.Views.Call;
import io.switchboard.chat.Views.Conversation;
import io.switchboard.chat.Views.Location;
import io.switchboard.chat.Views.Member;
import io.switchboard.chat.Views.Message;
import io.switchboard.chat.Views.Reaction;
import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.media.MediaStore;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.stream.Json;
import io.switchboard.sdk.stream.SourceUpdate;
import io.switchboard.sdk.stream.UpdatePublisher;
import io.switchboard.sdk.stream.UpdateSource;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Conversations and messages. Reads go straight to the database; every change goes through the
 * {@link ChatWriter}, which orders it in the chat log, stores it once and then delivers it to the
 * members' devices. The log is also this feature's {@link UpdateSource}: a device that reconnects
 * with {@code since} reads what it missed from here.
 */
@Component(service = {ChatService.class, UpdateSource.class}, configurationPid = ChatService.PID,
        property = UpdateSource.NAME + "=" + ChatService.SOURCE)
@Designate(ocd = ChatConfig.class)
public class ChatService implements UpdateSource {
    public static final String PID = "io.switchboard.chat";
    static final String SOURCE = "chat";
    static final int MAX_TEXT = 4096;
    static final int MAX_TITLE = 128;
    static final int MAX_ATTACHMENTS = 10;
    static final int MAX_EMOJI = 32;
    private static final String CALL_MSG_PREFIX = "call-";
    private static final TypeReference<List<Attachment>> ATTACHMENTS = new TypeReference<>() {};
    private static final TypeReference<LinkedHashMap<String, List<String>>> REACTIONS = new TypeReference<>() {};

    private final ObjectMapper json = new ObjectMapper();
    private final ChatStore store;
    private final ChatWriter writer;
    private final UpdatePublisher publisher;
    private final Directory directory;
    private final Map<String, ConvSnapshot> conversations = new ConcurrentHashMap<>();
    private volatile ChatConfig config;
    private final ChatMedia media;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile MediaStore mediaStore;

    @Activate
    public ChatService(@Reference(target = "(switchboard.schema=chat)") FeatureDatabase database,
                       @Reference UpdatePublisher publisher, @Reference AccountLookup accounts, ChatConfig config)
            throws SQLException {
        this.store = new ChatStore(database.dataSource());
        this.publisher = publisher;
        this.directory = new Directory(accounts);
        this.config = config;
        this.writer = new ChatWriter(store, store.maxPosition(), publisher::together);
        this.media = new ChatMedia(store, () -> mediaStore, () -> this.config.media_max_bytes());
    }

    public ChatMedia media() { return media; }

    @Modified
    void modified(ChatConfig changed) {
        this.config = changed;
    }

    @Deactivate
    void deactivate() {
        writer.close();
    }

    ChatConfig config() { return config; }

    ChatStore store() { return store; }

    Directory directory() { return directory; }

    // ---- UpdateSource

    @Override
    public List<SourceUpdate> since(String accountId, long after, int limit) {
        try {
            List<SourceUpdate> out = new ArrayList<>();
            for (ChatStore.LogEntry e : store.since(accountId, after, limit)) {
                Object data = e.message() != null ? view(e.message()) : new Json(e.json());
                out.add(new SourceUpdate(e.pos(), e.type(), data));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the chat log", e);
        }
    }

    @Override
    public long head() {
        return writer.head();
    }

    // ---- conversations

    public record Opened(Conversation conversation, boolean created) {}

    public Opened openDirect(AccountPrincipal caller, String withHandle) {
        AccountInfo other = directory.byHandle(text(withHandle, "with"))
                .orElseThrow(() -> new ApiException(404, "account_not_found", "No account has the handle '" + withHandle + "'."));
        if (other.id().equals(caller.accountId())) {
            throw ApiException.badRequest("invalid_member", "A direct conversation is with someone else.");
        }
        Direct direct = direct(caller.accountId(), other.id());
        return new Opened(conversation(caller, direct.id()), direct.created());
    }

    private record Direct(String id, boolean created) {}

    /** The direct conversation of the two; {@code opener} creates it when they have none yet. */
    private Direct direct(String opener, String other) {
        String key = opener.compareTo(other) < 0 ? opener + ":" + other : other + ":" + opener;
        String[] id = new String[1];
        boolean[] created = new boolean[1];
        writer.run(tx -> {
            id[0] = store.directConversation(tx.connection, key);
            if (id[0] != null) return;
            Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            Map<String, String> roles = new LinkedHashMap<>();
            roles.put(opener, ConvSnapshot.MEMBER);
            roles.put(other, ConvSnapshot.MEMBER);
            ConvSnapshot conv = new ConvSnapshot(Ids.newId("c_"), "direct", null, opener, now, roles);
            long pos = tx.nextPosition();
            store.insertConversation(tx.connection, conv, key, pos);
            for (String member : roles.keySet()) store.insertMember(tx.connection, conv.id(), member, ConvSnapshot.MEMBER, pos, now);
            recordChange(tx, pos, conv, "created", opener, null, roles.keySet());
            id[0] = conv.id();
            created[0] = true;
        });
        return new Direct(id[0], created[0]);
    }

    public Conversation createGroup(AccountPrincipal caller, String title, List<String> memberHandles) {
        String t = title(title);
        if (memberHandles == null) throw ApiException.badRequest("invalid_members", "'members' is a list of handles.");
        if (memberHandles.size() + 1 > config.group_max_members()) {
            throw ApiException.badRequest("too_many_members", "A group has at most " + config.group_max_members() + " members.");
        }
        Map<String, String> roles = new LinkedHashMap<>();
        roles.put(caller.accountId(), ConvSnapshot.OWNER);
        for (String h : memberHandles) {
            AccountInfo a = directory.byHandle(text(h, "members"))
                    .orElseThrow(() -> ApiException.badRequest("unknown_member", "No account has the handle '" + h + "'."));
            roles.putIfAbsent(a.id(), ConvSnapshot.MEMBER);
        }
        ConvSnapshot conv = new ConvSnapshot(Ids.newId("c_"), "group", t, caller.accountId(), Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS), roles);
        writer.run(tx -> {
            long pos = tx.nextPosition();
            store.insertConversation(tx.connection, conv, null, pos);
            for (Map.Entry<String, String> m : roles.entrySet()) {
                store.insertMember(tx.connection, conv.id(), m.getKey(), m.getValue(), pos, conv.createdAt());
            }
            recordChange(tx, pos, conv, "created", caller.accountId(), null, roles.keySet());
        });
        return conversation(caller, conv.id());
    }

    /** The conversation as the caller sees it; 404 for anyone not in it. */
    public Conversation conversation(AccountPrincipal caller, String id) {
        ConvSnapshot conv = memberOf(caller, id);
        try {
            long[] read = store.readState(id, caller.accountId());
            List<MessageRow> last = store.history(id, Long.MAX_VALUE, 1);
            MessageRow lastRow = last.isEmpty() ? null : last.get(0);
            Map<String, Long> reads = store.readSeqs(List.of(id)).getOrDefault(id, Map.of());
            return view(conv, lastRow == null ? 0 : lastRow.seq(), lastRow == null ? null : view(lastRow),
                    read[1], read[0], null, null, null, reads);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read a conversation", e);
        }
    }

    public List<Conversation> conversations(AccountPrincipal caller) {
        try {
            List<Conversation> out = new ArrayList<>();
            List<ChatStore.Listing> listings = store.conversationsOf(caller.accountId());
            Map<String, Map<String, Long>> reads = store.readSeqs(
                    listings.stream().map(ChatStore.Listing::conversationId).toList());
            for (ChatStore.Listing l : listings) {
                ConvSnapshot conv = snapshot(l.conversationId());
                if (conv == null || !conv.isMember(caller.accountId())) continue;
                out.add(view(conv, l.last() == null ? 0 : l.last().seq(), l.last() == null ? null : view(l.last()),
                        l.unread(), l.readSeq(), null, null, null, reads.getOrDefault(l.conversationId(), Map.of())));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not list conversations", e);
        }
    }

    public Conversation addMember(AccountPrincipal caller, String id, String handle) {
        ConvSnapshot seen = memberOf(caller, id);
        requireGroup(seen);
        AccountInfo who = directory.byHandle(text(handle, "handle"))
                .orElseThrow(() -> new ApiException(404, "account_not_found", "No account has the handle '" + handle + "'."));
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            if (!conv.canManage(caller.accountId())) throw ApiException.forbidden("not_allowed", "Only admins add members.");
            if (conv.isMember(who.id())) return;
            if (conv.roles().size() >= config.group_max_members()) {
                throw ApiException.badRequest("too_many_members", "A group has at most " + config.group_max_members() + " members.");
            }
            Map<String, String> roles = new LinkedHashMap<>(conv.roles());
            roles.put(who.id(), ConvSnapshot.MEMBER);
            ConvSnapshot next = conv.withRoles(roles);
            long pos = tx.nextPosition();
            store.insertMember(tx.connection, id, who.id(), ConvSnapshot.MEMBER, pos, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
            recordChange(tx, pos, next, "member_added", caller.accountId(), who.id(), roles.keySet());
        });
        return conversation(caller, id);
    }

    /** Removes a member (admins), or the caller itself (leaving). */
    public void removeMember(AccountPrincipal caller, String id, String handle) {
        ConvSnapshot seen = memberOf(caller, id);
        requireGroup(seen);
        AccountInfo who = directory.byHandle(text(handle, "handle"))
                .filter(a -> seen.isMember(a.id()))
                .orElseThrow(() -> new ApiException(404, "member_not_found", "'" + handle + "' is not a member."));
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            if (!conv.isMember(who.id())) throw new ApiException(404, "member_not_found", "'" + handle + "' is not a member.");
            boolean self = who.id().equals(caller.accountId());
            if (!self) {
                if (!conv.canManage(caller.accountId())) throw ApiException.forbidden("not_allowed", "Only admins remove members.");
                if (ConvSnapshot.OWNER.equals(conv.roles().get(who.id()))) {
                    throw ApiException.forbidden("not_allowed", "The owner cannot be removed.");
                }
                if (ConvSnapshot.ADMIN.equals(conv.roles().get(who.id()))
                        && !ConvSnapshot.OWNER.equals(conv.roles().get(caller.accountId()))) {
                    throw ApiException.forbidden("not_allowed", "Only the owner removes admins.");
                }
            }
            Map<String, String> roles = new LinkedHashMap<>(conv.roles());
            String role = roles.remove(who.id());
            String heir = null;
            if (ConvSnapshot.OWNER.equals(role) && !roles.isEmpty()) {
                // Ownership passes to the longest-serving admin, else the longest-serving member.
                heir = roles.entrySet().stream().filter(e -> ConvSnapshot.ADMIN.equals(e.getValue()))
                        .map(Map.Entry::getKey).findFirst().orElse(roles.keySet().iterator().next());
                roles.put(heir, ConvSnapshot.OWNER);
            }
            ConvSnapshot next = conv.withRoles(roles);
            long pos = tx.nextPosition();
            store.removeMember(tx.connection, id, who.id(), pos);
            if (heir != null) store.setRole(tx.connection, id, heir, ConvSnapshot.OWNER);
            Set<String> audience = new LinkedHashSet<>(roles.keySet());
            audience.add(who.id());
            recordChange(tx, pos, next, self ? "member_left" : "member_removed", caller.accountId(), who.id(), audience);
        });
    }

    public Conversation setRole(AccountPrincipal caller, String id, String handle, String role) {
        ConvSnapshot seen = memberOf(caller, id);
        requireGroup(seen);
        if (!ConvSnapshot.ADMIN.equals(role) && !ConvSnapshot.MEMBER.equals(role)) {
            throw ApiException.badRequest("invalid_role", "'role' is admin or member.");
        }
        AccountInfo who = directory.byHandle(text(handle, "handle")).filter(a -> seen.isMember(a.id()))
                .orElseThrow(() -> new ApiException(404, "member_not_found", "'" + handle + "' is not a member."));
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            if (!ConvSnapshot.OWNER.equals(conv.roles().get(caller.accountId()))) {
                throw ApiException.forbidden("not_allowed", "Only the owner changes roles.");
            }
            String now = conv.roles().get(who.id());
            if (now == null) throw new ApiException(404, "member_not_found", "'" + handle + "' is not a member.");
            if (ConvSnapshot.OWNER.equals(now)) throw ApiException.forbidden("not_allowed", "The owner's role stays.");
            if (now.equals(role)) return;
            Map<String, String> roles = new LinkedHashMap<>(conv.roles());
            roles.put(who.id(), role);
            ConvSnapshot next = conv.withRoles(roles);
            long pos = tx.nextPosition();
            store.setRole(tx.connection, id, who.id(), role);
            recordChange(tx, pos, next, "role_changed", caller.accountId(), who.id(), roles.keySet());
        });
        return conversation(caller, id);
    }

    public Conversation rename(AccountPrincipal caller, String id, String title) {
        ConvSnapshot seen = memberOf(caller, id);
        requireGroup(seen);
        String t = title(title);
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            if (!conv.canManage(caller.accountId())) throw ApiException.forbidden("not_allowed", "Only admins rename a group.");
            if (t.equals(conv.title())) return;
            ConvSnapshot next = conv.withTitle(t);
            long pos = tx.nextPosition();
            store.setTitle(tx.connection, id, t);
            recordChange(tx, pos, next, "renamed", caller.accountId(), null, next.roles().keySet());
        });
        return conversation(caller, id);
    }

    // ---- messages

    /**
     * The stored message, whether this send stored it, and (when it did) the message as the stream
     * writes it, the same JSON its {@code message.created} carried.
     */
    public record Sent(Message message, boolean created, Json json) {
        public Sent(Message message, boolean created) {
            this(message, created, null);
        }
    }

    /** {@code PUT …/messages/{clientMsgId}}: checks the send, stores it (or finds it stored) and waits for that. */
    public Sent send(AccountPrincipal caller, String id, String clientMsgId, Views.NewMessage body) {
        return store(prepare(caller, id, clientMsgId, body));
    }

    private Sent store(Sending sending) {
        writer.run(sending);
        return sending.sent();
    }

    /**
     * The same send without waiting (the {@code message.send} frame): a refusal of the checks is
     * thrown here, before anything is queued; the future completes off the writer thread with what
     * {@link #send} returns, or fails with what it throws (see {@link ChatWriter#failure}).
     */
    public CompletableFuture<Sent> sendAsync(AccountPrincipal caller, String id, String clientMsgId, Views.NewMessage body) {
        Sending sending = prepare(caller, id, clientMsgId, body);
        return writer.submitAsync(sending, caller.accountId()).thenApply(done -> sending.sentOverStream());
    }

    /** The checks of a client's send, in the order the API answers them; the stored form of the message. */
    private Sending prepare(AccountPrincipal caller, String id, String clientMsgId, Views.NewMessage body) {
        memberOf(caller, id);
        if (clientMsgId == null || !Ids.isClientMsgId(clientMsgId)) {
            throw ApiException.badRequest("invalid_client_msg_id", "The client message id is 1 to 64 of A-Z a-z 0-9 _ . : -.");
        }
        if (clientMsgId.startsWith(CALL_MSG_PREFIX)) {
            // Kept for the missed-call messages, so no one can take a call's message id before it is written.
            throw ApiException.badRequest("invalid_client_msg_id", "Client message ids starting with 'call-' are reserved.");
        }
        String text = body.text();
        if (text != null && text.codePointCount(0, text.length()) > MAX_TEXT) {
            throw ApiException.badRequest("text_too_long", "A message has at most " + MAX_TEXT + " characters.");
        }
        if (text != null && text.isBlank()) text = null;
        String location = location(body.location());
        String attachments = attachments(caller, body.attachments());
        if (text == null && location == null && attachments == null) {
            throw ApiException.badRequest("empty_message", "A message needs text, attachments or a location.");
        }
        long replyTo = 0;
        if (body.replyTo() != null) {
            replyTo = Ids.seqOf(id, body.replyTo());
            if (replyTo < 0) throw ApiException.badRequest("invalid_reply_to", "'replyTo' is the id of a message in this conversation.");
        }
        return new Sending(new SendKey(id, caller.accountId(), clientMsgId), new Draft(text, replyTo, attachments, location, null));
    }

    /** A message as checked, before it has a seq: {@code replyTo} is a seq, 0 for none; JSON columns are text. */
    private record Draft(String text, long replyTo, String attachments, String location, String call) {}

    /**
     * One message on its way through the writer, stored once: the key (conversation, sender, client
     * id) is unique, and sending it again finds the stored message. What it stored or found is read
     * after its commit.
     */
    private final class Sending implements ChatWriter.SendTask {
        private final SendKey key;
        private final Draft draft;
        private MessageRow row;
        private boolean created;
        /** The row's view, made once for both its delivery and its answer (whichever comes first). */
        private volatile Message view;
        /** The view as JSON, written once for the delivery and the stream's answer (whichever comes first). */
        private volatile Json json;

        Sending(SendKey key, Draft draft) {
            this.key = key;
            this.draft = draft;
        }

        @Override
        public SendKey key() { return key; }

        @Override
        public void run(ChatWriter.Tx tx) throws SQLException {
            // A batch may run twice (see ChatWriter.runBatch): nothing of the first run stays.
            created = false;
            MessageRow existing = tx.sent.get(key);
            if (existing != null) {
                row = existing;
                return;
            }
            String id = key.conversationId();
            ConvSnapshot conv = memberOf(key.senderId(), id);
            long replyTo = draft.replyTo();
            if (replyTo > 0 && replyTo > tx.lastSeq(id)) {
                throw ApiException.badRequest("invalid_reply_to", "'replyTo' is the id of a message in this conversation.");
            }
            // Handed out together, so pos rises with seq in a conversation: replay (ChatStore.since,
            // migration V3) finds a position's messages by seq.
            long seq = tx.nextSeq(id);
            long pos = tx.nextPosition();
            MessageRow stored = new MessageRow(id, seq, pos, key.senderId(), key.clientMsgId(), draft.text(),
                    replyTo > 0 ? replyTo : null, draft.attachments(), draft.location(), draft.call(), null, null, false,
                    Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
            tx.newMessages.add(stored);
            tx.sent.put(key, stored);
            if (draft.attachments() != null) {
                for (Attachment a : readAttachments(draft.attachments())) {
                    tx.newMediaLinks.add(new String[] {a.mediaId(), id, Long.toString(seq)});
                }
            }
            Collection<String> audience = conv.roles().keySet();
            row = stored;
            created = true;
            tx.deliver(audience, to -> publisher.deliver(SOURCE, pos, to, "message.created", json()));
        }

        /** The view as the stream writes it, written once for the delivery and the socket's answer. */
        private Json json() {
            Json j = json;
            if (j == null) json = j = publisher.json(view());
            return j;
        }

        private Message view() {
            Message v = view;
            if (v == null) view = v = ChatService.this.view(row);
            return v;
        }

        Sent sent() { return new Sent(view(), created); }

        /** The answer to a send over the stream: with the JSON its {@code message.created} carries. */
        Sent sentOverStream() { return new Sent(view(), created, json()); }
    }

    /**
     * A call nobody answered (the calls bundle's {@code switchboard/calls/missed}): a message from the
     * caller that carries the call, in the direct conversation of the two (opened if they have none).
     * Its client id is {@code call-<callId>}, so the same call told twice is still one message.
     */
    Sent missedCall(String callId, String callerId, String calleeId, boolean video) {
        String clientMsgId = CALL_MSG_PREFIX + callId;
        if (callId.isEmpty() || !Ids.isClientMsgId(clientMsgId)) {
            throw ApiException.badRequest("invalid_call_id", "A call id is 1 to 59 of A-Z a-z 0-9 _ . : -.");
        }
        for (String account : List.of(callerId, calleeId)) {
            if (directory.byId(account).isEmpty()) {
                throw new ApiException(404, "account_not_found", "No account has the id '" + account + "'.");
            }
        }
        if (callerId.equals(calleeId)) throw ApiException.badRequest("invalid_member", "A direct conversation is with someone else.");
        Direct direct = direct(callerId, calleeId);
        return store(new Sending(new SendKey(direct.id(), callerId, clientMsgId),
                new Draft(null, 0, null, null, write(new Call(callId, "missed", video)))));
    }

    public List<Message> history(AccountPrincipal caller, String id, String before, String limit) {
        memberOf(caller, id);
        long beforeSeq = before == null || before.isEmpty() ? Long.MAX_VALUE : number(before, "before", 1, Long.MAX_VALUE);
        int n = limit == null || limit.isEmpty() ? 50 : (int) number(limit, "limit", 1, 200);
        try {
            List<Message> out = new ArrayList<>();
            for (MessageRow r : store.history(id, beforeSeq, n)) out.add(view(r));
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read history", e);
        }
    }

    public Message edit(AccountPrincipal caller, String id, String messageId, String text) {
        memberOf(caller, id);
        long seq = seqOf(id, messageId);
        if (text == null || text.isBlank()) throw ApiException.badRequest("empty_message", "'text' is required.");
        if (text.codePointCount(0, text.length()) > MAX_TEXT) {
            throw ApiException.badRequest("text_too_long", "A message has at most " + MAX_TEXT + " characters.");
        }
        MessageRow[] result = new MessageRow[1];
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            MessageRow m = existingMessage(tx, id, seq);
            if (!m.senderId().equals(caller.accountId())) {
                throw ApiException.forbidden("not_allowed", "Only the sender edits a message.");
            }
            if (m.deleted()) throw ApiException.conflict("message_deleted", "The message was deleted.");
            if (m.call() != null) throw ApiException.forbidden("not_allowed", "A message that stands for a call has no text to edit.");
            MessageRow edited = m.edited(text, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
            long pos = tx.nextPosition();
            store.saveEdit(tx.connection, edited);
            record(tx, pos, conv, "message.updated", view(edited), conv.roles().keySet());
            result[0] = edited;
        });
        return view(result[0]);
    }

    /** Delete for everyone: the sender, or an admin of a group. A tombstone stays. */
    public void delete(AccountPrincipal caller, String id, String messageId) {
        memberOf(caller, id);
        long seq = seqOf(id, messageId);
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            MessageRow m = existingMessage(tx, id, seq);
            boolean own = m.senderId().equals(caller.accountId());
            if (!own && !(conv.isGroup() && conv.canManage(caller.accountId()))) {
                throw ApiException.forbidden("not_allowed", "Only the sender or a group admin deletes a message.");
            }
            if (m.deleted()) return;
            MessageRow gone = m.tombstone(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
            long pos = tx.nextPosition();
            store.saveTombstone(tx.connection, gone);
            record(tx, pos, conv, "message.deleted", view(gone), conv.roles().keySet());
        });
    }

    /** Toggles the caller's reaction with this emoji. */
    public Message react(AccountPrincipal caller, String id, String messageId, String emoji) {
        memberOf(caller, id);
        long seq = seqOf(id, messageId);
        if (emoji == null || emoji.isBlank() || emoji.codePointCount(0, emoji.length()) > 8 || emoji.length() > MAX_EMOJI
                || emoji.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>')) {
            throw ApiException.badRequest("invalid_emoji", "'emoji' is one emoji.");
        }
        MessageRow[] result = new MessageRow[1];
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            MessageRow m = existingMessage(tx, id, seq);
            if (m.deleted()) throw ApiException.conflict("message_deleted", "The message was deleted.");
            LinkedHashMap<String, List<String>> reactions = readReactions(m.reactions());
            List<String> who = new ArrayList<>(reactions.getOrDefault(emoji, List.of()));
            boolean added = !who.remove(caller.accountId());
            if (added) who.add(caller.accountId());
            if (who.isEmpty()) reactions.remove(emoji); else reactions.put(emoji, who);
            if (added && reactions.size() > 50) throw ApiException.badRequest("too_many_reactions", "A message has at most 50 kinds of reaction.");
            MessageRow next = m.withReactions(reactions.isEmpty() ? null : write(reactions));
            long pos = tx.nextPosition();
            store.saveReactions(tx.connection, next);
            record(tx, pos, conv, "reaction", new Views.ReactionEvent(id, messageId, seq, emoji,
                    directory.handle(caller.accountId()), added, reactions(next.reactions())), conv.roles().keySet());
            result[0] = next;
        });
        return view(result[0]);
    }

    public void markRead(AccountPrincipal caller, String id, Long seq) {
        memberOf(caller, id);
        if (seq == null || seq < 0) throw ApiException.badRequest("invalid_seq", "'seq' is a message seq.");
        writer.run(tx -> {
            ConvSnapshot conv = memberOf(caller, id);
            if (seq > tx.lastSeq(id)) throw ApiException.badRequest("invalid_seq", "No message has seq " + seq + " yet.");
            if (!store.markRead(tx.connection, id, caller.accountId(), seq)) return;
            long pos = tx.nextPosition();
            record(tx, pos, conv, "read", new Views.ReadEvent(id, directory.handle(caller.accountId()), seq),
                    conv.roles().keySet());
        });
    }

    public void typing(AccountPrincipal caller, String id) {
        ConvSnapshot conv = memberOf(caller, id);
        List<String> others = new ArrayList<>(conv.roles().keySet());
        others.remove(caller.accountId());
        publisher.publishEphemeral(others, "typing", new Views.Typing(id, caller.handle()));
    }

    // ---- helpers

    /** The conversation if the caller is a member; 404 otherwise (also for ids that do not exist). */
    ConvSnapshot memberOf(AccountPrincipal caller, String id) {
        return memberOf(caller.accountId(), id);
    }

    private ConvSnapshot memberOf(String accountId, String id) {
        ConvSnapshot conv = Ids.isId(id, "c_") ? snapshot(id) : null;
        if (conv == null || !conv.isMember(accountId)) {
            throw new ApiException(404, "conversation_not_found", "No such conversation.");
        }
        return conv;
    }

    /**
     * True if a frame's {@code conversationId} names a conversation in memory, so checking a send or a
     * typing frame for it reads no database (its stream handler may then run on the socket's reading
     * thread).
     */
    boolean isLoaded(JsonNode conversationId) {
        return conversationId != null && conversationId.isTextual() && conversations.containsKey(conversationId.asText());
    }

    private ConvSnapshot snapshot(String id) {
        ConvSnapshot conv = conversations.get(id);
        if (conv != null) return conv;
        try {
            conv = store.loadConversation(id);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read a conversation", e);
        }
        if (conv == null) return null;
        ConvSnapshot raced = conversations.putIfAbsent(id, conv);
        return raced != null ? raced : conv;
    }

    private static void requireGroup(ConvSnapshot conv) {
        if (!conv.isGroup()) throw ApiException.badRequest("not_a_group", "Direct conversations have exactly two members.");
    }

    private MessageRow existingMessage(ChatWriter.Tx tx, String id, long seq) throws SQLException {
        MessageRow m = store.message(tx.connection, id, seq);
        if (m == null) throw new ApiException(404, "message_not_found", "No such message.");
        return m;
    }

    private static long seqOf(String id, String messageId) {
        long seq = Ids.seqOf(id, messageId);
        if (seq < 0) throw new ApiException(404, "message_not_found", "No such message.");
        return seq;
    }

    /** Stores an event in the log; after commit it goes to the audience. */
    private void record(ChatWriter.Tx tx, long pos, ConvSnapshot conv, String type, Object data, Collection<String> audience)
            throws SQLException {
        Json written = publisher.json(data); // once: stored as it is delivered, to all lanes
        store.insertEvent(tx.connection, pos, conv.id(), type, written.text());
        tx.deliver(List.copyOf(audience), to -> publisher.deliver(SOURCE, pos, to, type, written));
    }

    /** A change of the conversation itself: stored, installed in memory after commit, delivered. */
    private void recordChange(ChatWriter.Tx tx, long pos, ConvSnapshot next, String change, String actor, String subject,
                              Collection<String> audience) throws SQLException {
        Conversation data = view(next, null, null, null, null, change, directory.handle(actor),
                subject == null ? null : directory.handle(subject), null);
        record(tx, pos, next, "conversation.updated", data, audience);
        tx.afterCommit(() -> conversations.put(next.id(), next));
    }

    private static String title(String title) {
        if (title == null || title.isBlank()) throw ApiException.badRequest("invalid_title", "A group needs a 'title'.");
        String t = title.strip();
        if (t.codePointCount(0, t.length()) > MAX_TITLE || t.chars().anyMatch(c -> c < 0x20)) {
            throw ApiException.badRequest("invalid_title", "A title is at most " + MAX_TITLE + " characters on one line.");
        }
        return t;
    }

    private static String text(String value, String field) {
        if (value == null || value.isEmpty() || value.length() > 64) {
            throw ApiException.badRequest("invalid_" + field, "'" + field + "' is required.");
        }
        return value;
    }

    private static long number(String value, String name, long min, long max) {
        if (value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw ApiException.badRequest("invalid_" + name, "'" + name + "' is a whole number.");
        }
        long n = Long.parseLong(value);
        if (n < min || n > max) throw ApiException.badRequest("invalid_" + name, "'" + name + "' is from " + min + " to " + max + ".");
        return n;
    }

    private String location(Location l) {
        if (l == null) return null;
        if (l.latitude() == null || l.longitude() == null || !Double.isFinite(l.latitude()) || !Double.isFinite(l.longitude())
                || Math.abs(l.latitude()) > 90 || Math.abs(l.longitude()) > 180) {
            throw ApiException.badRequest("invalid_location", "A location has a latitude (-90..90) and a longitude (-180..180).");
        }
        if (l.title() != null && (l.title().length() > 256 || l.title().chars().anyMatch(c -> c < 0x20))) {
            throw ApiException.badRequest("invalid_location", "A location title is at most 256 characters on one line.");
        }
        return write(new Location(l.latitude(), l.longitude(), l.title() == null || l.title().isBlank() ? null : l.title()));
    }

    /** The attachments as stored JSON; each must be media the caller uploaded or can see. */
    private String attachments(AccountPrincipal caller, List<String> ids) {
        if (ids == null || ids.isEmpty()) return null;
        if (ids.size() > MAX_ATTACHMENTS) {
            throw ApiException.badRequest("too_many_attachments", "A message has at most " + MAX_ATTACHMENTS + " attachments.");
        }
        List<Attachment> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String mediaId : ids) {
            if (mediaId == null || !Ids.isId(mediaId, "m_") || !seen.add(mediaId)) {
                throw ApiException.badRequest("invalid_attachment", "'attachments' lists media ids from POST /api/v1/media, each once.");
            }
            try {
                ChatStore.MediaRow m = store.media(mediaId);
                if (m == null || !(m.ownerId().equals(caller.accountId()) || store.mediaVisibleTo(mediaId, caller.accountId()))) {
                    throw ApiException.badRequest("invalid_attachment", "No media '" + mediaId + "' of yours.");
                }
                out.add(new Attachment(m.id(), m.size(), m.contentType()));
            } catch (SQLException e) {
                throw new IllegalStateException("Could not read media", e);
            }
        }
        return write(out);
    }

    Message view(MessageRow r) {
        Location location = null;
        Call call = null;
        List<Attachment> attachments = List.of();
        try {
            if (r.location() != null) location = json.readValue(r.location(), Location.class);
            if (r.call() != null) call = json.readValue(r.call(), Call.class);
            if (r.attachments() != null) attachments = readAttachments(r.attachments());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A stored message is not readable", e);
        }
        return new Message(Ids.messageId(r.conversationId(), r.seq()), r.conversationId(), r.seq(),
                directory.handle(r.senderId()), r.clientMsgId(), r.text(),
                r.replyTo() == null ? null : Ids.messageId(r.conversationId(), r.replyTo()), attachments, location, call,
                reactions(r.reactions()), r.editedAt() == null ? null : r.editedAt().toString(), r.deleted(),
                r.sentAt().toString());
    }

    private List<Attachment> readAttachments(String stored) {
        try {
            return json.readValue(stored, ATTACHMENTS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored attachments are not readable", e);
        }
    }

    private LinkedHashMap<String, List<String>> readReactions(String stored) {
        if (stored == null) return new LinkedHashMap<>();
        try {
            return json.readValue(stored, REACTIONS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored reactions are not readable", e);
        }
    }

    private List<Reaction> reactions(String stored) {
        List<Reaction> out = new ArrayList<>();
        readReactions(stored).forEach((emoji, ids) ->
                out.add(new Reaction(emoji, ids.size(), ids.stream().map(directory::handle).toList())));
        return out;
    }

    private Conversation view(ConvSnapshot conv, Long lastSeq, Message last, Long unread, Long readSeq, String change,
                              String actor, String subject, Map<String, Long> reads) {
        List<Member> members = new ArrayList<>(conv.roles().size());
        conv.roles().forEach((accountId, role) -> {
            AccountInfo a = directory.byId(accountId).orElse(null);
            members.add(new Member(a == null ? accountId : a.handle(), a == null ? null : a.displayName(),
                    a == null ? null : a.kind().wireName(), role,
                    reads == null ? null : reads.getOrDefault(accountId, 0L)));
        });
        return new Conversation(conv.id(), conv.kind(), conv.title(), members, lastSeq, last, unread, readSeq,
                conv.createdAt().toString(), change, actor, subject);
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Not writable as JSON", e);
        }
    }
}
