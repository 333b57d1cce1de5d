package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.stream.StreamSession;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The {@code message.send} frame on the real chat service over a real PostgreSQL; the socket is recorded. */
class MessageSendHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChatFixture.Running running = ChatFixture.running();
    private static final ChatService chat = running.chat;
    private static final MessageSendHandler handler = new MessageSendHandler(chat);

    @AfterAll
    static void stop() throws Exception {
        running.close();
    }

    /** A direct conversation of two new accounts, and a socket of the first. */
    private record Opened(String id, Socket socket) {}

    private static Opened open(String handle, String with) {
        AccountPrincipal caller = running.accounts.add(handle);
        running.accounts.add(with);
        return new Opened(chat.openDirect(caller, with).conversation().id(), new Socket(caller));
    }

    /** A socket: what was sent on it, and from which thread. */
    private record Answer(String type, JsonNode data, Thread thread) {}

    private static final class Socket implements StreamSession {
        private final AccountPrincipal principal;
        private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();

        Socket(AccountPrincipal principal) { this.principal = principal; }

        @Override public AccountPrincipal principal() { return principal; }

        /** Written as text and read back, as a frame on the wire (raw JSON parts included). */
        @Override public void send(String type, Object data) {
            try {
                answers.add(new Answer(type, JSON.readTree(JSON.writeValueAsString(data)), Thread.currentThread()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        Answer send(String frame) throws Exception {
            handler.handle(this, JSON.readTree(frame));
            Answer a = answers.poll(10, TimeUnit.SECONDS);
            assertTrue(a != null, "an answer to " + frame);
            return a;
        }
    }

    @Test
    void aSendIsAnsweredOffTheSocketsThreadAndItsRetryIsTheSameMessage() throws Exception {
        Opened opened = open("ann_s", "bob_s");
        String id = opened.id();
        Socket socket = opened.socket();
        AccountPrincipal ann = socket.principal();
        String frame = "{\"type\":\"message.send\",\"conversationId\":\"" + id + "\",\"clientMsgId\":\"s-1\",\"text\":\"hi\"}";

        Answer sent = socket.send(frame);
        assertEquals("message.sent", sent.type(), sent.toString());
        assertNotEquals(Thread.currentThread(), sent.thread(), "the socket's thread only queues the send");
        assertFalse(sent.thread().getName().contains("writer"), "nor does the writer answer: " + sent.thread().getName());
        assertEquals("s-1", sent.data().path("clientMsgId").asText());
        assertEquals(id, sent.data().path("conversationId").asText());
        assertTrue(sent.data().path("created").asBoolean());
        Views.Message stored = chat.history(ann, id, null, null).get(0);
        assertEquals(JSON.readTree(JSON.writeValueAsString(stored)), sent.data().path("message"), "the view the PUT answers");
        assertEquals(running.delivered.await(ann.accountId(), "message.created", 1).get(0),
                new io.switchboard.sdk.stream.Json(sent.data().path("message").toString()),
                "the same JSON as its message.created, written once");

        Answer retry = socket.send(frame);
        assertFalse(retry.data().path("created").asBoolean());
        assertEquals(sent.data().path("message"), retry.data().path("message"));
        ChatService.Sent put = chat.send(ann, id, "s-1", new Views.NewMessage("hi", null, null, null));
        assertFalse(put.created(), "the PUT finds the frame's message");
        assertEquals(1, chat.history(ann, id, null, null).size());
    }

    @Test
    void refusalsNameTheSendAndWriteNothing() throws Exception {
        Opened opened = open("cid_s", "dot_s");
        String id = opened.id();
        Socket socket = opened.socket();
        String head = "{\"type\":\"message.send\",\"conversationId\":\"" + id + "\",";
        List<String[]> frames = List.of(
                new String[] {head + "\"clientMsgId\":\"r-1\",\"text\":7}", "invalid_frame", "'text'"},
                new String[] {head + "\"clientMsgId\":\"r-2\",\"text\":\"hi\",\"extra\":true}", "invalid_frame", "'extra'"},
                new String[] {head + "\"text\":\"hi\"}", "invalid_frame", "'clientMsgId'"},
                new String[] {head + "\"clientMsgId\":\"r-4\",\"location\":{\"latitude\":1,\"longitude\":2,\"alt\":3}}",
                        "invalid_frame", "'location.alt'"},
                new String[] {head + "\"clientMsgId\":\"r-5\",\"attachments\":[1]}", "invalid_frame", "'attachments'"},
                new String[] {head + "\"clientMsgId\":\"r-6\",\"text\":\"" + "x".repeat(ChatService.MAX_TEXT + 1) + "\"}",
                        "text_too_long", null},
                new String[] {head + "\"clientMsgId\":\"r-7\"}", "empty_message", null},
                new String[] {"{\"type\":\"message.send\",\"conversationId\":\"c_aaaaaaaaaaaaaaaaaaaaaaaaaa\","
                        + "\"clientMsgId\":\"r-8\",\"text\":\"hi\"}", "conversation_not_found", null},
                // The writer's refusal, after the checks: answered the same way.
                new String[] {head + "\"clientMsgId\":\"r-9\",\"text\":\"hi\",\"replyTo\":\"" + id + ".5\"}",
                        "invalid_reply_to", null});
        for (String[] f : frames) {
            Answer a = socket.send(f[0]);
            assertEquals("error", a.type(), f[0]);
            assertEquals(f[1], a.data().path("code").asText(), f[0] + " → " + a.data());
            if (f[2] != null) assertTrue(a.data().path("message").asText().contains(f[2]), a.data().toString());
            JsonNode sent = JSON.readTree(f[0]);
            assertEquals(sent.path("clientMsgId").asText(null), a.data().path("clientMsgId").asText(null));
            assertEquals(sent.path("conversationId").asText(), a.data().path("conversationId").asText());
        }
        assertNull(socket.answers.poll(200, TimeUnit.MILLISECONDS), "one answer each");
        assertTrue(chat.history(socket.principal(), id, null, null).isEmpty());
        assertTrue(running.delivered.of(running.accounts.id("dot_s"), "message.created").isEmpty());
    }
}
