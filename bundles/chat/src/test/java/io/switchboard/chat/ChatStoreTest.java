package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
        try (PreparedStatement p = c.prepareStatement("EXPLAIN " + ChatStore.HISTORY)) {
            p.setString(1, "c_deep");
            p.setLong(2, before);
            p.setInt(3, 50);
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
            ConvSnapshot conv = new ConvSnapshot("c_window", "group", "W", "owner", now, Map.of("owner", "owner"));
            store.insertConversation(c, conv, null, 1);
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

    private static MessageRow row(String conv, long seq, long pos, String text) {
        return new MessageRow(conv, seq, pos, "owner", "m" + seq, text, null, null, null, null, null, null, false, Instant.now());
    }
}
