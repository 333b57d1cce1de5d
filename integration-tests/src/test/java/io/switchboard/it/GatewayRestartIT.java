package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Updating the gateway bundle (stop, new jar, start) while clients wait: a waiting long poll is
 * answered (no updates, its own cursor, so the client polls again), the stream socket closes with
 * 1001 so the client reconnects, and afterwards everything stored is served and the chat goes on
 * where it was, live on a new socket.
 */
class GatewayRestartIT {
    @Test
    void updatingTheGatewayAnswersWaitingPollsClosesSocketsCleanlyAndLosesNothing() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("gateway-restart"))) {
            Api api = sb.api();
            String admin = Switchboard.ADMIN_TOKEN;
            String amy = api.signUp("amy", "person", "Amy");
            String ben = api.signUp("ben", "person", "Ben");
            String benLaptop = api.login("ben");
            String id = ChatIT.direct(api, amy, "ben");
            for (int i = 1; i <= 3; i++) ChatIT.sendText(api, amy, id, "pre-" + i, "before " + i);
            long gateway = ChatHotSwapIT.bundleId(api, admin, "io.switchboard.gateway");
            String since = api.get("/api/v1/updates", benLaptop).json().path("cursor").asText();
            CompletableFuture<Api.Reply> poll = api.getAsync("/api/v1/updates?since=" + since + "&timeout=30", benLaptop);
            try (StreamClient ws = StreamClient.open(sb.wsUrl(), ben, null)) {
                Thread.sleep(1000);
                assertTrue(!poll.isDone(), "the poll waits");
                Api.Reply updated = api.postRaw("/api/v1/admin/bundles/" + gateway + "/update", admin,
                        Files.readAllBytes(Path.of(System.getProperty("gateway.jar"))), "application/java-archive");
                assertEquals(200, updated.status(), updated.toString());

                Api.Reply answered = poll.get(20, TimeUnit.SECONDS);
                assertEquals(200, answered.status(), answered.toString());
                assertEquals(0, answered.json().path("updates").size(), answered.toString());
                assertEquals(since, answered.json().path("cursor").asText(), "its own cursor, to poll again with");
                assertEquals(1001, ws.closeCode(10), "going away: the client reconnects");
            }

            Api.Reply history = null;
            for (int i = 0; i < 60; i++) {
                history = api.get("/api/v1/conversations/" + id + "/messages", ben);
                if (history.status() == 200) break;
                Thread.sleep(250);
            }
            assertEquals(200, history.status(), "served again after the update: " + history);
            assertEquals(3, history.json().path("messages").size(), "everything stored is there");

            try (StreamClient ws = StreamClient.open(sb.wsUrl(), ben, null)) {
                JsonNode after = ChatIT.sendText(api, amy, id, "post-1", "after the update");
                assertEquals(4, after.path("seq").asLong(), "seq goes on where it was");
                assertEquals("after the update", ws.awaitType("message.created", 10).path("data").path("text").asText(),
                        "live on a new socket");
            }
            Api.Reply missed = api.get("/api/v1/updates?since=" + since + "&timeout=0", benLaptop);
            assertEquals(1, missed.json().path("updates").size(), "the poller gets the message from its cursor: " + missed);
        }
    }
}
