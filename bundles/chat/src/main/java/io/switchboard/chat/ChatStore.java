package io.switchboard.chat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Every statement of the chat schema. Reads take their own connection; writes run on the writer's. */
final class ChatStore {
    private static final String MESSAGE_COLUMNS = """
            m.conversation_id, m.seq, m.pos, m.sender_id, m.client_msg_id, m.text, m.reply_to,
            m.attachments::text, m.location::text, m.reactions::text, m.edited_at, m.deleted, m.sent_at, m.call::text""";

    private final DataSource dataSource;

    ChatStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    // ---- conversations and members

    ConvSnapshot loadConversation(String id) throws SQLException {
        try (Connection c = connection()) {
            return loadConversation(c, id);
        }
    }

    ConvSnapshot loadConversation(Connection c, String id) throws SQLException {
        String kind;
        String title;
        String createdBy;
        Instant createdAt;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT kind, title, created_by, created_at FROM chat.conversations WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) return null;
                kind = rs.getString(1);
                title = rs.getString(2);
                createdBy = rs.getString(3);
                createdAt = rs.getTimestamp(4).toInstant();
            }
        }
        Map<String, String> roles = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement(
                "SELECT account_id, role FROM chat.members WHERE conversation_id = ? ORDER BY joined_at, account_id")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) roles.put(rs.getString(1), rs.getString(2));
            }
        }
        return new ConvSnapshot(id, kind, title, createdBy, createdAt, roles);
    }

    String directConversation(Connection c, String directKey) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM chat.conversations WHERE direct_key = ?")) {
            s.setString(1, directKey);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    void insertConversation(Connection c, ConvSnapshot conv, String directKey, long pos) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO chat.conversations (id, kind, title, direct_key, created_by, created_pos, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)""")) {
            s.setString(1, conv.id());
            s.setString(2, conv.kind());
            s.setString(3, conv.title());
            s.setString(4, directKey);
            s.setString(5, conv.createdBy());
            s.setLong(6, pos);
            s.setTimestamp(7, Timestamp.from(conv.createdAt()));
            s.executeUpdate();
        }
    }

    void insertMember(Connection c, String conversationId, String accountId, String role, long pos, Instant at)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO chat.members (conversation_id, account_id, role, joined_at) VALUES (?, ?, ?, ?)""")) {
            s.setString(1, conversationId);
            s.setString(2, accountId);
            s.setString(3, role);
            s.setTimestamp(4, Timestamp.from(at));
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO chat.memberships (conversation_id, account_id, from_pos) VALUES (?, ?, ?)""")) {
            s.setString(1, conversationId);
            s.setString(2, accountId);
            s.setLong(3, pos);
            s.executeUpdate();
        }
    }

    /** Removes a member; it may still replay up to and including {@code pos} (the event removing it). */
    void removeMember(Connection c, String conversationId, String accountId, long pos) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM chat.members WHERE conversation_id = ? AND account_id = ?")) {
            s.setString(1, conversationId);
            s.setString(2, accountId);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE chat.memberships SET until_pos = ?
                WHERE account_id = ? AND conversation_id = ? AND until_pos IS NULL""")) {
            s.setLong(1, pos);
            s.setString(2, accountId);
            s.setString(3, conversationId);
            s.executeUpdate();
        }
    }

    void setRole(Connection c, String conversationId, String accountId, String role) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE chat.members SET role = ? WHERE conversation_id = ? AND account_id = ?")) {
            s.setString(1, role);
            s.setString(2, conversationId);
            s.setString(3, accountId);
            s.executeUpdate();
        }
    }

    void setTitle(Connection c, String conversationId, String title) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE chat.conversations SET title = ? WHERE id = ?")) {
            s.setString(1, title);
            s.setString(2, conversationId);
            s.executeUpdate();
        }
    }

    /** Moves the read mark forward only. Returns whether it moved. */
    boolean markRead(Connection c, String conversationId, String accountId, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE chat.members SET read_seq = ?
                WHERE conversation_id = ? AND account_id = ? AND read_seq < ?""")) {
            s.setLong(1, seq);
            s.setString(2, conversationId);
            s.setString(3, accountId);
            s.setLong(4, seq);
            return s.executeUpdate() > 0;
        }
    }

    // ---- the log

    /**
     * The highest position handed out so far: one pass over the conversations (a conversation's
     * newest message holds its highest message position) and the events.
     */
    long maxPosition() throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement("""
                SELECT greatest((SELECT greatest(max(cv.created_pos), max(last.pos)) FROM chat.conversations cv
                                   LEFT JOIN LATERAL (SELECT pos FROM chat.messages m WHERE m.conversation_id = cv.id
                                                       ORDER BY m.seq DESC LIMIT 1) last ON true),
                                (SELECT max(pos) FROM chat.events), 0)""");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    long lastSeq(Connection c, String conversationId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT coalesce(max(seq), 0) FROM chat.messages WHERE conversation_id = ?")) {
            s.setString(1, conversationId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    void insertEvent(Connection c, long pos, String conversationId, String type, String json) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO chat.events (pos, conversation_id, type, data) VALUES (?, ?, ?, ?::jsonb)")) {
            s.setLong(1, pos);
            s.setString(2, conversationId);
            s.setString(3, type);
            s.setString(4, json);
            s.executeUpdate();
        }
    }

    /** A stored change as the log holds it: a message (created) or an event's JSON. */
    record LogEntry(long pos, String type, MessageRow message, String json) {}

    private static final String NULL_MESSAGE_COLUMNS = """
            NULL::text, NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::bigint,
            NULL::text, NULL::text, NULL::text, NULL::timestamptz, NULL::boolean, NULL::timestamptz, NULL::text""";

    /** The replay query of {@link #since}; package-visible for the tests' plans. */
    static final String SINCE = """
                WITH ms AS (
                    SELECT conversation_id, greatest(from_pos, ? + 1) AS lo, until_pos AS hi
                    FROM chat.memberships
                    WHERE account_id = ? AND (until_pos IS NULL OR until_pos > ?)),
                seqs AS MATERIALIZED (
                    SELECT conversation_id, chat.first_seq_from(conversation_id, lo) AS first,
                           CASE WHEN hi IS NOT NULL THEN chat.first_seq_from(conversation_id, hi + 1) END AS past
                    FROM ms)
                SELECT * FROM (
                    (SELECT m.pos AS log_pos, 'message.created' AS type, NULL AS data, %s
                     FROM seqs JOIN chat.messages m ON m.conversation_id = seqs.conversation_id
                      AND m.seq >= seqs.first AND (seqs.past IS NULL OR m.seq < seqs.past)
                     ORDER BY m.pos LIMIT ?)
                    UNION ALL
                    (SELECT e.pos AS log_pos, e.type, e.data::text, %s
                     FROM ms JOIN chat.events e ON e.conversation_id = ms.conversation_id
                      AND e.pos >= ms.lo AND (ms.hi IS NULL OR e.pos <= ms.hi)
                     ORDER BY e.pos LIMIT ?)) u
                ORDER BY log_pos LIMIT ?""".formatted(MESSAGE_COLUMNS, NULL_MESSAGE_COLUMNS);

    /**
     * What the account may replay after {@code after}: messages and events of the conversations it
     * was a member of at their positions, in position order. A membership's messages are a range of
     * the primary key: pos rises with seq in a conversation, and {@code chat.first_seq_from} (V3)
     * finds the seqs where the membership's positions begin and end.
     */
    List<LogEntry> since(String accountId, long after, int limit) throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement(SINCE)) {
            s.setLong(1, after);
            s.setString(2, accountId);
            s.setLong(3, after);
            s.setInt(4, limit);
            s.setInt(5, limit);
            s.setInt(6, limit);
            List<LogEntry> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    long pos = rs.getLong(1);
                    String type = rs.getString(2);
                    if (rs.getString(4) != null) {
                        out.add(new LogEntry(pos, type, message(rs, 4), null));
                    } else {
                        out.add(new LogEntry(pos, type, null, rs.getString(3)));
                    }
                }
            }
            return out;
        }
    }

    // ---- messages

    record SendKey(String conversationId, String senderId, String clientMsgId) {}

    /** The lookup of {@link #existing}: conversations, senders and client message ids as three arrays. */
    static final String EXISTING = "SELECT " + MESSAGE_COLUMNS + "\n" + """
             FROM unnest(?::text[], ?::text[], ?::text[]) AS k(c, s, m)
            JOIN chat.messages m ON m.conversation_id = k.c AND m.sender_id = k.s AND m.client_msg_id = k.m""";

    /** The messages already stored under these keys (retries of a send). */
    Map<SendKey, MessageRow> existing(Connection c, List<SendKey> keys) throws SQLException {
        Map<SendKey, MessageRow> out = new HashMap<>();
        if (keys.isEmpty()) return out;
        try (PreparedStatement s = c.prepareStatement(EXISTING)) {
            s.setArray(1, c.createArrayOf("text", keys.stream().map(SendKey::conversationId).toArray()));
            s.setArray(2, c.createArrayOf("text", keys.stream().map(SendKey::senderId).toArray()));
            s.setArray(3, c.createArrayOf("text", keys.stream().map(SendKey::clientMsgId).toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    MessageRow m = message(rs, 1);
                    out.put(new SendKey(m.conversationId(), m.senderId(), m.clientMsgId()), m);
                }
            }
        }
        return out;
    }

    /**
     * One multi-row statement for a batch of new messages. A message whose client message id its
     * sender used before in the conversation fails it as a whole ({@link #isUniqueViolation}).
     */
    void insertMessages(Connection c, List<MessageRow> rows) throws SQLException {
        if (rows.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, reply_to,
                                           attachments, location, sent_at, call)
                SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[],
                                     ?::bigint[], ?::jsonb[], ?::jsonb[], ?::timestamptz[], ?::jsonb[])""")) {
            int n = rows.size();
            Object[][] cols = new Object[11][n];
            for (int i = 0; i < n; i++) {
                MessageRow r = rows.get(i);
                cols[0][i] = r.conversationId();
                cols[1][i] = r.seq();
                cols[2][i] = r.pos();
                cols[3][i] = r.senderId();
                cols[4][i] = r.clientMsgId();
                cols[5][i] = r.text();
                cols[6][i] = r.replyTo();
                cols[7][i] = r.attachments();
                cols[8][i] = r.location();
                cols[9][i] = Timestamp.from(r.sentAt());
                cols[10][i] = r.call();
            }
            String[] types = {"text", "int8", "int8", "text", "text", "text", "int8", "jsonb", "jsonb", "timestamptz", "jsonb"};
            for (int k = 0; k < cols.length; k++) s.setArray(k + 1, c.createArrayOf(types[k], cols[k]));
            s.executeUpdate();
        }
    }

    /** A statement refused for a key that is taken (SQLSTATE 23505). */
    static boolean isUniqueViolation(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    void linkMedia(Connection c, List<String[]> links) throws SQLException {
        if (links.isEmpty()) return;
        try (PreparedStatement s = c.prepareStatement("""
                INSERT INTO chat.message_media (media_id, conversation_id, seq)
                SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[]) ON CONFLICT DO NOTHING""")) {
            s.setArray(1, c.createArrayOf("text", links.stream().map(l -> l[0]).toArray()));
            s.setArray(2, c.createArrayOf("text", links.stream().map(l -> l[1]).toArray()));
            s.setArray(3, c.createArrayOf("int8", links.stream().map(l -> Long.valueOf(l[2])).toArray()));
            s.executeUpdate();
        }
    }

    MessageRow message(Connection c, String conversationId, long seq) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT " + MESSAGE_COLUMNS + " FROM chat.messages m WHERE m.conversation_id = ? AND m.seq = ?")) {
            s.setString(1, conversationId);
            s.setLong(2, seq);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? message(rs, 1) : null;
            }
        }
    }

    MessageRow message(String conversationId, long seq) throws SQLException {
        try (Connection c = connection()) {
            return message(c, conversationId, seq);
        }
    }

    void saveEdit(Connection c, MessageRow m) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE chat.messages SET text = ?, edited_at = ? WHERE conversation_id = ? AND seq = ?""")) {
            s.setString(1, m.text());
            s.setTimestamp(2, Timestamp.from(m.editedAt()));
            s.setString(3, m.conversationId());
            s.setLong(4, m.seq());
            s.executeUpdate();
        }
    }

    void saveTombstone(Connection c, MessageRow m) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("""
                UPDATE chat.messages SET text = NULL, attachments = NULL, location = NULL, call = NULL, reactions = NULL,
                                         deleted = true, edited_at = ?
                WHERE conversation_id = ? AND seq = ?""")) {
            s.setTimestamp(1, Timestamp.from(m.editedAt()));
            s.setString(2, m.conversationId());
            s.setLong(3, m.seq());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM chat.message_media WHERE conversation_id = ? AND seq = ?")) {
            s.setString(1, m.conversationId());
            s.setLong(2, m.seq());
            s.executeUpdate();
        }
    }

    void saveReactions(Connection c, MessageRow m) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE chat.messages SET reactions = ?::jsonb WHERE conversation_id = ? AND seq = ?")) {
            if (m.reactions() == null) s.setNull(1, Types.VARCHAR); else s.setString(1, m.reactions());
            s.setString(2, m.conversationId());
            s.setLong(3, m.seq());
            s.executeUpdate();
        }
    }

    static final String HISTORY = "SELECT " + MESSAGE_COLUMNS + "\n" + """
             FROM chat.messages m WHERE m.conversation_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?""";

    /** Newest first, below {@code beforeSeq}; the primary key serves any depth. */
    List<MessageRow> history(String conversationId, long beforeSeq, int limit) throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement(HISTORY)) {
            s.setString(1, conversationId);
            s.setLong(2, beforeSeq);
            s.setInt(3, limit);
            List<MessageRow> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(message(rs, 1));
            }
            return out;
        }
    }

    /** One conversation of an account's list: its read mark, last message and unread count. */
    record Listing(String conversationId, long readSeq, MessageRow last, long unread, long activity) {}

    /** The account's conversations, most recent activity first. */
    List<Listing> conversationsOf(String accountId) throws SQLException {
        String sql = """
                SELECT mb.conversation_id, mb.read_seq,
                       (SELECT count(*) FROM chat.messages u
                         WHERE u.conversation_id = mb.conversation_id AND u.seq > mb.read_seq
                           AND u.sender_id <> mb.account_id AND NOT u.deleted) AS unread,
                       greatest(cv.created_pos, coalesce(m.pos, 0)) AS activity, """ + MESSAGE_COLUMNS + "\n" + """
                 FROM chat.members mb
                JOIN chat.conversations cv ON cv.id = mb.conversation_id
                LEFT JOIN LATERAL (SELECT * FROM chat.messages x WHERE x.conversation_id = mb.conversation_id
                                   ORDER BY x.seq DESC LIMIT 1) m ON true
                WHERE mb.account_id = ?
                ORDER BY activity DESC""";
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, accountId);
            List<Listing> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    MessageRow last = rs.getString(5) == null ? null : message(rs, 5);
                    out.add(new Listing(rs.getString(1), rs.getLong(2), last, rs.getLong(3), rs.getLong(4)));
                }
            }
            return out;
        }
    }

    /** Every member's read mark in these conversations: conversation → account → seq. */
    Map<String, Map<String, Long>> readSeqs(List<String> conversationIds) throws SQLException {
        Map<String, Map<String, Long>> out = new HashMap<>();
        if (conversationIds.isEmpty()) return out;
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement(
                "SELECT conversation_id, account_id, read_seq FROM chat.members WHERE conversation_id = ANY(?)")) {
            s.setArray(1, c.createArrayOf("text", conversationIds.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getLong(3));
            }
        }
        return out;
    }

    /** The caller's read mark and unread count in one conversation. */
    long[] readState(String conversationId, String accountId) throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement("""
                SELECT mb.read_seq,
                       (SELECT count(*) FROM chat.messages u WHERE u.conversation_id = mb.conversation_id
                          AND u.seq > mb.read_seq AND u.sender_id <> mb.account_id AND NOT u.deleted)
                FROM chat.members mb WHERE mb.conversation_id = ? AND mb.account_id = ?""")) {
            s.setString(1, conversationId);
            s.setString(2, accountId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new long[] {rs.getLong(1), rs.getLong(2)} : new long[] {0, 0};
            }
        }
    }

    private static MessageRow message(ResultSet rs, int at) throws SQLException {
        Timestamp edited = rs.getTimestamp(at + 10);
        long reply = rs.getLong(at + 6);
        Long replyTo = rs.wasNull() ? null : reply;
        return new MessageRow(rs.getString(at), rs.getLong(at + 1), rs.getLong(at + 2), rs.getString(at + 3),
                rs.getString(at + 4), rs.getString(at + 5), replyTo, rs.getString(at + 7), rs.getString(at + 8),
                rs.getString(at + 13), rs.getString(at + 9), edited == null ? null : edited.toInstant(),
                rs.getBoolean(at + 11), rs.getTimestamp(at + 12).toInstant());
    }

    // ---- media

    record MediaRow(String id, String ownerId, String storeKey, long size, String contentType) {}

    void insertMedia(MediaRow m) throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement("""
                INSERT INTO chat.media (id, owner_id, store_key, size, content_type, created_at)
                VALUES (?, ?, ?, ?, ?, now())""")) {
            s.setString(1, m.id());
            s.setString(2, m.ownerId());
            s.setString(3, m.storeKey());
            s.setLong(4, m.size());
            s.setString(5, m.contentType());
            s.executeUpdate();
        }
    }

    MediaRow media(String id) throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement(
                "SELECT id, owner_id, store_key, size, content_type FROM chat.media WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? new MediaRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getString(5)) : null;
            }
        }
    }

    boolean mediaKeyInUse(String key) throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement(
                "SELECT 1 FROM chat.media WHERE store_key = ? LIMIT 1")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Whether a message carrying the media is in a conversation the account is a member of. */
    boolean mediaVisibleTo(String mediaId, String accountId) throws SQLException {
        try (Connection c = connection(); PreparedStatement s = c.prepareStatement("""
                SELECT 1 FROM chat.message_media mm
                JOIN chat.members mb ON mb.conversation_id = mm.conversation_id AND mb.account_id = ?
                WHERE mm.media_id = ? LIMIT 1""")) {
            s.setString(1, accountId);
            s.setString(2, mediaId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        }
    }
}
