package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Hot deploy through $SWITCHBOARD_HOME/deploy: the example bundle appears, is replaced by a changed
 * build and is removed, with no restart, while one WebSocket client stays connected throughout.
 */
class HotDeployIT {

    @Test
    void deployReplaceRemoveWhileTheStreamStaysOpen() throws Exception {
        Path home = Switchboard.workDir("hot-deploy");
        try (Switchboard sb = Switchboard.start(home)) {
            Api api = sb.api();
            String token = api.signUp("carol", "person", "Carol");
            assertEquals(404, api.get("/api/v1/hello", token).status(), "not deployed yet");

            try (StreamClient ws = StreamClient.open(sb.wsUrl(), token, null)) {
                ws.sendText("{\"type\":\"hello.ping\"}");
                assertEquals("unknown_type", ws.awaitType("error", 10).path("data").path("code").asText());

                Path deployed = home.resolve("deploy").resolve("hello-feature.jar");
                Files.copy(HelloJar.built(), deployed, StandardCopyOption.REPLACE_EXISTING);
                JsonNode hello = awaitHello(api, token, r -> r.status() == 200, 30).json();
                assertEquals("carol", hello.path("hello").asText());
                assertEquals("hello", hello.path("greeting").asText());
                assertEquals(401, api.get("/api/v1/hello", null).status(), "the example needs a caller");
                assertPong(ws, "hello", 1);

                HelloJar.rebuiltWith("howdy", deployed);
                JsonNode updated = awaitHello(api, token,
                        r -> r.status() == 200 && "howdy".equals(r.json().path("greeting").asText()), 30).json();
                assertEquals("carol", updated.path("hello").asText());
                assertPong(ws, "howdy", 2);

                Files.delete(deployed);
                awaitHello(api, token, r -> r.status() == 404, 30);
                assertEquals("not_found", api.get("/api/v1/hello", token).errorCode());
                ws.sendText("{\"type\":\"hello.ping\"}");
                assertEquals("unknown_type", ws.awaitType("error", 10).path("data").path("code").asText());

                ws.sendText("{\"type\":\"ping\"}");
                ws.awaitType("pong", 10);
                assertFalse(ws.isClosed(), "the stream stayed open through deploy, update and removal");
            }
        }
    }

    /**
     * The example's REST resource and its frame handler are registered apart, and the REST application
     * follows them with a delay of its own, so the new greeting can be served over REST a moment while
     * no frame handler is registered. Until the deadline an unknown_type reply is sent again; after
     * it, the last reply fails the test.
     */
    private static void assertPong(StreamClient ws, String greeting, int n) throws Exception {
        ws.sendText("{\"type\":\"ping\"}");
        ws.awaitType("pong", 10);
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode pong;
        while (true) {
            ws.sendText("{\"type\":\"hello.ping\",\"n\":" + n + "}");
            JsonNode reply = ws.await(f -> "hello.pong".equals(f.path("type").asText())
                    || "error".equals(f.path("type").asText()), 10);
            if ("hello.pong".equals(reply.path("type").asText())) {
                pong = reply;
                break;
            }
            assertEquals("unknown_type", reply.path("data").path("code").asText(), reply.toString());
            assertTrue(System.nanoTime() < deadline, "hello.ping still unhandled after 10 s: " + reply);
            Thread.sleep(100);
        }
        assertEquals("carol", pong.path("data").path("hello").asText());
        assertEquals(greeting, pong.path("data").path("greeting").asText());
        assertEquals(Integer.toString(n), pong.path("data").path("n").asText());
        assertTrue(pong.path("cursor").isNull(), "a reply frame is ephemeral");
    }

    static Api.Reply awaitHello(Api api, String token, Predicate<Api.Reply> until, int seconds) throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Api.Reply last = null;
        while (System.nanoTime() < deadline) {
            last = api.get("/api/v1/hello", token);
            if (until.test(last)) return last;
            Thread.sleep(100);
        }
        throw new AssertionError("GET /api/v1/hello did not reach the expected state in " + seconds + " s; last: " + last);
    }
}
