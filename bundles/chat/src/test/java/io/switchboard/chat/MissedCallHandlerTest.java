package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.chat.ChatFixture.Accounts;
import io.switchboard.chat.ChatFixture.Delivered;
import io.switchboard.chat.Views.Conversation;
import io.switchboard.chat.Views.Message;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.stream.SourceUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;

/**
 * The {@code switchboard/calls/missed} event as Event Admin hands it over, on the real chat service
 * over a real PostgreSQL with the real migrations; accounts and the stream are recorded.
 */
class MissedCallHandlerTest {
    private static ChatFixture.Running running;
    private static Accounts accounts;
    private static Delivered delivered;
    private static ChatService chat;

    @BeforeAll
    static void start() throws Exception {
        running = new ChatFixture.Running();
        accounts = running.accounts;
        delivered = running.delivered;
        chat = running.chat;
    }

    @AfterAll
    static void stop() throws Exception {
        if (running != null) running.close();
    }

    @Test
    void aMissedCallOpensTheDirectConversationWithOneMessageFromTheCaller() throws Exception {
        AccountPrincipal amy = accounts.add("amy_m");
        AccountPrincipal bea = accounts.add("bea_m");
        handle(missed("call_first", amy.accountId(), bea.accountId(), true));

        List<Conversation> beas = chat.conversations(bea);
        assertEquals(1, beas.size(), "the direct conversation was opened");
        Conversation c = beas.get(0);
        assertEquals("direct", c.kind());
        assertEquals(List.of("amy_m", "bea_m"), c.members().stream().map(Views.Member::handle).sorted().toList());
        assertEquals(1L, c.unread(), "unread for the callee");
        assertEquals(0L, chat.conversations(amy).get(0).unread(), "not for the caller");

        List<Message> history = chat.history(bea, c.id(), null, null);
        assertEquals(1, history.size());
        Message m = history.get(0);
        assertEquals("amy_m", m.sender());
        assertEquals("call-call_first", m.clientMsgId());
        assertEquals(new Views.Call("call_first", "missed", true), m.call());
        assertNull(m.text());
        assertEquals(m, c.lastMessage());

        JsonNode json = new ObjectMapper().valueToTree(m);
        assertEquals("call_first", json.path("call").path("id").asText());
        assertEquals("missed", json.path("call").path("outcome").asText());
        assertTrue(json.path("call").path("video").asBoolean());
        assertEquals(json("{\"id\":\"call_first\",\"outcome\":\"missed\",\"video\":true}"), storedCall(c.id(), 1));

        // On the stream like any message, to both, and in the replay of a device that comes back.
        for (AccountPrincipal member : List.of(amy, bea)) {
            List<Object> created = delivered.await(member.accountId(), "message.created", 1);
            assertEquals(delivered.json(m), created.get(0), "the message as the stream writes it");
        }
        List<SourceUpdate> replay = chat.since(bea.accountId(), 0, 100);
        assertEquals(List.of("conversation.updated", "message.created"), replay.stream().map(SourceUpdate::type).toList());
        assertEquals(m, replay.get(1).data());
    }

    @Test
    void theSameCallToldTwiceIsOneMessage() throws Exception {
        AccountPrincipal cal = accounts.add("cal_m");
        AccountPrincipal dee = accounts.add("dee_m");
        Event event = missed("call_twice", cal.accountId(), dee.accountId(), false);
        // Twice one after the other, and twice more at once through two handlers (Event Admin may retry).
        handle(event, event);
        MissedCallHandler one = new MissedCallHandler(chat);
        MissedCallHandler two = new MissedCallHandler(chat);
        one.handleEvent(event);
        two.handleEvent(event);
        one.deactivate();
        two.deactivate();

        List<Conversation> list = chat.conversations(dee);
        assertEquals(1, list.size());
        List<Message> history = chat.history(dee, list.get(0).id(), null, null);
        assertEquals(1, history.size(), history.toString());
        assertEquals(new Views.Call("call_twice", "missed", false), history.get(0).call());
        assertEquals(1L, list.get(0).unread());
        assertEquals(1, rows("call-call_twice"));
        delivered.await(dee.accountId(), "message.created", 1);
        Thread.sleep(200);
        assertEquals(1, delivered.of(dee.accountId(), "message.created").size(), "delivered once");

        // A second missed call between the two is a second message in the same conversation.
        handle(missed("call_again", cal.accountId(), dee.accountId(), false));
        assertEquals(2, chat.history(dee, list.get(0).id(), null, null).size());
        assertEquals(1, chat.conversations(dee).size());
    }

    @Test
    void anExistingDirectConversationIsReusedWhoeverOpenedIt() throws Exception {
        AccountPrincipal eve = accounts.add("eve_m");
        AccountPrincipal fay = accounts.add("fay_m");
        // The callee opened it and wrote first.
        ChatService.Opened opened = chat.openDirect(fay, "eve_m");
        assertTrue(opened.created());
        chat.send(fay, opened.conversation().id(), "hello-1", new Views.NewMessage("Call me?", null, null, null));

        handle(missed("call_reuse", eve.accountId(), fay.accountId(), false));

        assertEquals(1, chat.conversations(eve).size());
        assertEquals(1, chat.conversations(fay).size());
        List<Message> history = chat.history(eve, opened.conversation().id(), null, null);
        assertEquals(2, history.size());
        assertEquals(2, history.get(0).seq());
        assertEquals("eve_m", history.get(0).sender());
        assertNotNull(history.get(0).call());
        assertNull(history.get(1).call(), "an ordinary message has no call");
        assertTrue(new ObjectMapper().valueToTree(history.get(1)).path("call").isNull());
        assertEquals(opened.conversation().id(), chat.openDirect(eve, "fay_m").conversation().id());
    }

    @Test
    void badEventsWriteNothing() throws Exception {
        AccountPrincipal gus = accounts.add("gus_m");
        AccountPrincipal hal = accounts.add("hal_m");
        String g = gus.accountId();
        String h = hal.accountId();
        long conversations = count("SELECT count(*) FROM chat.conversations");
        long messages = count("SELECT count(*) FROM chat.messages");

        Map<String, Object> noCallId = properties("call_bad", g, h, false);
        noCallId.remove("callId");
        Map<String, Object> noVideo = properties("call_bad", g, h, false);
        noVideo.remove("video");
        Map<String, Object> noStart = properties("call_bad", g, h, false);
        noStart.remove("startedAt");
        handle(new Event(MissedCallHandler.TOPIC, noCallId),
                new Event(MissedCallHandler.TOPIC, noVideo),
                new Event(MissedCallHandler.TOPIC, noStart),
                with("callId", 42),
                with("callId", ""),
                with("callId", "call with spaces"),
                with("callId", "c".repeat(60)),
                with("callerId", List.of(g)),
                with("calleeId", 7L),
                with("video", "true"),
                with("startedAt", Instant.now()),
                with("startedAt", "yesterday"),
                missed("call_bad", g, "acct_nobody", false),
                missed("call_bad", "acct_nobody", h, false),
                missed("call_bad", g, g, false));

        assertEquals(conversations, count("SELECT count(*) FROM chat.conversations"), "no conversation opened");
        assertEquals(messages, count("SELECT count(*) FROM chat.messages"), "no message written");
        assertTrue(chat.conversations(gus).isEmpty());
        assertTrue(chat.conversations(hal).isEmpty());

        // The same handler still takes a good event afterwards.
        handle(missed("call_good", g, h, false));
        assertEquals(1, chat.conversations(hal).size());
    }

    @Test
    void aCallMessageHasNoTextToEditAndItsTombstoneKeepsNoCall() throws Exception {
        AccountPrincipal ida = accounts.add("ida_m");
        AccountPrincipal jon = accounts.add("jon_m");
        handle(missed("call_edit", ida.accountId(), jon.accountId(), true));
        Conversation c = chat.conversations(ida).get(0);
        String id = c.lastMessage().id();

        ApiException refused = assertThrows(ApiException.class, () -> chat.edit(ida, c.id(), id, "not a call"));
        assertEquals(403, refused.status());
        assertEquals(json("{\"id\":\"call_edit\",\"outcome\":\"missed\",\"video\":true}"), storedCall(c.id(), 1));

        chat.delete(ida, c.id(), id);
        Message gone = chat.history(jon, c.id(), null, null).get(0);
        assertTrue(gone.deleted());
        assertNull(gone.call());
        assertNull(storedCall(c.id(), 1));
        handle(missed("call_edit", ida.accountId(), jon.accountId(), true));
        assertEquals(1, chat.history(jon, c.id(), null, null).size(), "a deleted call message is not sent again");
    }

    // ---- helpers

    /** Hands the events to a handler as Event Admin would and waits until it has dealt with them. */
    private static void handle(Event... events) {
        MissedCallHandler handler = new MissedCallHandler(chat);
        for (Event e : events) handler.handleEvent(e);
        handler.deactivate();
    }

    private static Map<String, Object> properties(String callId, String callerId, String calleeId, boolean video) {
        Map<String, Object> p = new HashMap<>();
        p.put("callId", callId);
        p.put("callerId", callerId);
        p.put("calleeId", calleeId);
        p.put("video", video);
        p.put("startedAt", Instant.now().toString());
        return p;
    }

    private static Event missed(String callId, String callerId, String calleeId, boolean video) {
        return new Event(MissedCallHandler.TOPIC, properties(callId, callerId, calleeId, video));
    }

    /** A good event between gus_m and hal_m with one property replaced. */
    private static Event with(String name, Object value) {
        Map<String, Object> p = properties("call_bad", accounts.id("gus_m"), accounts.id("hal_m"), false);
        p.put(name, value);
        return new Event(MissedCallHandler.TOPIC, p);
    }

    private static JsonNode json(String text) throws Exception {
        return new ObjectMapper().readTree(text);
    }

    /** The call column of a stored message (jsonb keeps its own key order), or null. */
    private static JsonNode storedCall(String conversationId, long seq) throws Exception {
        try (Connection c = running.postgres.getPostgresDatabase().getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT call::text FROM chat.messages WHERE conversation_id = ? AND seq = ?")) {
            s.setString(1, conversationId);
            s.setLong(2, seq);
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next());
                return rs.getString(1) == null ? null : json(rs.getString(1));
            }
        }
    }

    private static long rows(String clientMsgId) throws Exception {
        try (Connection c = running.postgres.getPostgresDatabase().getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM chat.messages WHERE client_msg_id = ?")) {
            s.setString(1, clientMsgId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long count(String sql) throws Exception {
        try (Connection c = running.postgres.getPostgresDatabase().getConnection(); PreparedStatement s = c.prepareStatement(sql);
             ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
