package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chat schema and its queries against a real PostgreSQL with the real migration. */
class ChatStoreTest {
    private static EmbeddedPostgres postgres;
    private static ChatStore store;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        ChatSchema.migrate(postgres.getPostgresDatabase());
        store = new ChatStore(postgres.getPostgresDatabase());
    }

    @AfterAll
    static void stop() throws Exception {
        if (postgres != null) postgres.close();
    }

    @Test
    void historyAtAnyDepthIsAnIndexRangeNotAScanOrASort() throws Exception {
        try (Connection c = store.connection(); Statement s = c.createStatement()) {
            s.execute("""
                    INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
                    SELECT 'c_deep', g, 1000000 + g, 'a', 'k' || g, 'message ' || g, now() FROM generate_series(1, 60000) g""");
            s.execute("""
                    INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
                    SELECT 'c_other' || (g % 100), g, 2000000 + g, 'b', 'k' || g, 'noise', now() FROM generate_series(1, 60000) g""");
            s.execute("ANALYZE chat.messages");
            // Statistics of the key columns only (migration V4), so autovacuum's ANALYZE stays cheap.
            Set<String> analyzed = new TreeSet<>();
            try (ResultSet r = s.executeQuery(
                    "SELECT attname FROM pg_stats WHERE schemaname = 'chat' AND tablename = 'messages'")) {
                while (r.next()) analyzed.add(r.getString(1));
            }
            assertEquals(new TreeSet<>(Set.of("client_msg_id", "conversation_id", "pos", "sender_id", "seq")), analyzed);
            for (long before : new long[] {Long.MAX_VALUE, 59_000, 30_000, 50}) {
                String plan = explain(c, before);
                assertTrue(plan.contains("Index Scan Backward using messages_pkey"), plan);
                assertFalse(plan.contains("Seq Scan"), plan);
                assertFalse(plan.contains("Sort"), plan);
            }
        }
        List<MessageRow> page = store.history("c_deep", 30_000, 20);
        assertEquals(20, page.size());
        assertEquals(29_999, page.get(0).seq());
        assertEquals(29_980, page.get(19).seq());
    }

    private static String explain(Connection c, long before) throws Exception {
        return explain(c, ChatStore.HISTORY, "c_deep", before, 50);
    }

    /** The plan of {@code sql} with these parameters. */
    private static String explain(Connection c, String sql, Object... params) throws Exception {
        try (PreparedStatement p = c.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < params.length; i++) p.setObject(i + 1, params[i]);
            StringBuilder b = new StringBuilder();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) b.append(rs.getString(1)).append('\n');
            }
            return b.toString();
        }
    }

    @Test
    void aMemberReplaysOnlyWhatHappenedWhileItWasAMember() throws Exception {
        Instant now = Instant.now();
        try (Connection c = store.connection()) {
            createGroup(c, "c_window", 1, now);
            store.insertMember(c, "c_window", "owner", "owner", 1, now);
            store.insertMessages(c, List.of(row("c_window", 1, 2, "before joining")));
            store.insertMember(c, "c_window", "bob", "member", 3, now);
            store.insertEvent(c, 3, "c_window", "conversation.updated", "{\"change\":\"member_added\"}");
            store.insertMessages(c, List.of(row("c_window", 2, 4, "while a member"), row("c_window", 3, 5, "also")));
            store.removeMember(c, "c_window", "bob", 6);
            store.insertEvent(c, 6, "c_window", "conversation.updated", "{\"change\":\"member_removed\"}");
            store.insertMessages(c, List.of(row("c_window", 4, 7, "after removal")));
            store.insertMember(c, "c_window", "bob", "member", 8, now);
            store.insertEvent(c, 8, "c_window", "conversation.updated", "{\"change\":\"member_added\"}");
            store.insertMessages(c, List.of(row("c_window", 5, 9, "back again")));
        }
        List<ChatStore.LogEntry> all = store.since("bob", 0, 100);
        assertEquals(List.of(3L, 4L, 5L, 6L, 8L, 9L), all.stream().map(ChatStore.LogEntry::pos).toList());
        assertEquals("while a member", all.get(1).message().text());
        assertEquals("conversation.updated", all.get(3).type());
        assertEquals(List.of(8L, 9L), store.since("bob", 6, 100).stream().map(ChatStore.LogEntry::pos).toList());
        assertEquals(List.of(4L, 5L), store.since("bob", 3, 2).stream().map(ChatStore.LogEntry::pos).toList(), "paged");
        assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), store.since("owner", 0, 100).stream().map(ChatStore.LogEntry::pos).toList(), "the owner was there throughout");
        assertEquals(0, store.since("stranger", 0, 100).size());
    }

    @Test
    void firstSeqFromFindsTheFirstMessageAtOrAfterEveryPosition() throws Exception {
        // Positions rise with seq, in uneven steps (other conversations' changes come between), and
        // seqs 40 to 44 are missing: for every position, the messages at or after it are exactly
        // those from the seq returned on.
        long[] seqs = new long[200];
        long[] positions = new long[200];
        int n = 0;
        long pos = 10;
        for (long seq = 1; seq <= 205; seq++) {
            if (seq >= 40 && seq <= 44) continue;
            pos += 1 + (seq * 7) % 13;
            seqs[n] = seq;
            positions[n] = pos;
            n++;
        }
        try (Connection c = store.connection(); Statement s = c.createStatement()) {
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < n; i++) {
                if (i > 0) values.append(',');
                values.append("('c_search',").append(seqs[i]).append(',').append(positions[i])
                        .append(",'a','s").append(seqs[i]).append("','x',now())");
            }
            s.execute("INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at) VALUES " + values);
            try (PreparedStatement q = c.prepareStatement("SELECT chat.first_seq_from(?, ?)")) {
                for (long p = 0; p <= positions[n - 1] + 2; p++) {
                    long first = firstSeqFrom(q, "c_search", p);
                    for (int i = 0; i < n; i++) {
                        assertEquals(positions[i] >= p, seqs[i] >= first,
                                "position " + p + ": seq " + seqs[i] + " (at " + positions[i] + ") against " + first);
                    }
                }
                assertEquals(206, firstSeqFrom(q, "c_search", positions[n - 1] + 1), "past the newest");
                assertEquals(1, firstSeqFrom(q, "c_no_messages", 5));
            }
        }
    }

    private static long firstSeqFrom(PreparedStatement q, String conversation, long p) throws Exception {
        q.setString(1, conversation);
        q.setLong(2, p);
        try (ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void replayDeepInALongConversationIsAKeyRangeNotAScan() throws Exception {
        Instant now = Instant.now();
        try (Connection c = store.connection(); Statement s = c.createStatement()) {
            createGroup(c, "c_long", 5_000_000, now);
            store.insertMember(c, "c_long", "long_reader", "member", 5_000_000, now);
            // 60000 messages at every other position, with another conversation's between them
            s.execute("""
                    INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
                    SELECT 'c_long', g, 5000000 + 2 * g, 'a', 'l' || g, 'message ' || g, now() FROM generate_series(1, 60000) g""");
            s.execute("""
                    INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
                    SELECT 'c_beside', g, 5000001 + 2 * g, 'b', 'l' || g, 'noise', now() FROM generate_series(1, 60000) g""");
            s.execute("ANALYZE chat.messages");
            long after = 5_000_000 + 2 * 59_950;
            String plan = explain(c, ChatStore.SINCE, after, "long_reader", after, 100, 100, 100);
            assertTrue(plan.contains("messages_pkey"), plan);
            assertFalse(plan.contains("Seq Scan on messages"), plan);
        }
        // after seq 59950's position: exactly seqs 59951 to 60000, in order
        List<ChatStore.LogEntry> missed = store.since("long_reader", 5_000_000 + 2 * 59_950, 100);
        assertEquals(50, missed.size());
        assertEquals(59_951, missed.get(0).message().seq());
        assertEquals(60_000, missed.get(49).message().seq());
        // a position between two of the conversation's messages (the other conversation's)
        assertEquals(30_001, store.since("long_reader", 5_000_000 + 2 * 30_000 + 1, 10).get(0).message().seq());
        // from the start, paged
        List<ChatStore.LogEntry> first = store.since("long_reader", 0, 3);
        assertEquals(List.of(1L, 2L, 3L), first.stream().map(e -> e.message().seq()).toList());
        assertEquals(0, store.since("long_reader", 5_000_000 + 2 * 60_000, 10).size(), "nothing after the newest");
    }

    @Test
    void theHighestPositionIsTheLargestOfEveryConversationsMessagesEventsAndCreation() throws Exception {
        Instant now = Instant.now();
        try (Connection c = store.connection(); Statement s = c.createStatement()) {
            createGroup(c, "c_max", 9_000_000, now);
            store.insertMessages(c, List.of(row("c_max", 1, 9_000_001, "one"), row("c_max", 2, 9_000_002, "two")));
            store.insertEvent(c, 8_999_999, "c_max", "conversation.updated", "{}");
            long expected;
            try (ResultSet rs = s.executeQuery("""
                    SELECT greatest((SELECT max(m.pos) FROM chat.messages m JOIN chat.conversations cv ON cv.id = m.conversation_id),
                                    (SELECT max(pos) FROM chat.events), (SELECT max(created_pos) FROM chat.conversations))""")) {
                rs.next();
                expected = rs.getLong(1);
            }
            assertTrue(expected >= 9_000_002, "this test's newest message counts: " + expected);
            assertEquals(expected, store.maxPosition());
        }
    }

    @Test
    void aSendKeyIsUniquePerConversationAndSenderAndARetryIsFoundThroughItsIndex() throws Exception {
        // All in one transaction that is rolled back, statistics included: the other tests' plans
        // are taken on a table without these rows.
        try (Connection c = store.connection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                sendKeys(c, s);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    private static void sendKeys(Connection c, Statement s) throws Exception {
        s.execute("""
                INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
                SELECT 'c_keys' || (g % 50), g, 3000000 + g, 'a_' || (g % 7), 'send-' || g, 'text', now()
                  FROM generate_series(1, 40000) g""");
        s.execute("ANALYZE chat.messages");
        // The same key again, under another seq: refused as a duplicate, nothing stored.
        Savepoint before = c.setSavepoint();
        SQLException duplicate = assertThrows(SQLException.class, () -> s.execute("""
                INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
                VALUES ('c_keys7', 900001, 3900001, 'a_0', 'send-7', 'again', now())"""));
        assertTrue(ChatStore.isUniqueViolation(duplicate), duplicate.getSQLState());
        c.rollback(before);
        // The same client id from another sender, or in another conversation, is another send.
        s.execute("""
                INSERT INTO chat.messages (conversation_id, seq, pos, sender_id, client_msg_id, text, sent_at)
                VALUES ('c_keys7', 900002, 3900002, 'a_other', 'send-7', 'other sender', now()),
                       ('c_keys8', 900003, 3900003, 'a_0', 'send-7', 'other conversation', now())""");

        var keys = List.of(new ChatStore.SendKey("c_keys7", "a_0", "send-7"),
                new ChatStore.SendKey("c_keys7", "a_other", "send-7"),
                new ChatStore.SendKey("c_keys9", "a_0", "send-7"));
        String plan = explain(c, ChatStore.EXISTING,
                c.createArrayOf("text", keys.stream().map(ChatStore.SendKey::conversationId).toArray()),
                c.createArrayOf("text", keys.stream().map(ChatStore.SendKey::senderId).toArray()),
                c.createArrayOf("text", keys.stream().map(ChatStore.SendKey::clientMsgId).toArray()));
        assertTrue(plan.contains("messages_conversation_id_sender_id_client_msg_id_key"), plan);
        assertFalse(plan.contains("Seq Scan"), plan);
        Map<ChatStore.SendKey, MessageRow> found = store.existing(c, keys);
        assertEquals(2, found.size(), found.toString());
        assertEquals("text", found.get(keys.get(0)).text());
        assertEquals(7, found.get(keys.get(0)).seq());
        assertEquals("other sender", found.get(keys.get(1)).text());
    }

    /** A group owned by "owner", created at {@code pos}. */
    private static void createGroup(Connection c, String id, long pos, Instant now) throws Exception {
        store.insertConversation(c, new ConvSnapshot(id, "group", id, "owner", now, Map.of("owner", "owner")), null, pos);
    }

    private static MessageRow row(String conv, long seq, long pos, String text) {
        return new MessageRow(conv, seq, pos, "owner", "m" + seq, text, null, null, null, null, null, null, false, Instant.now());
    }
}
