package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Long polls hold no thread while they wait: with Jetty's pool at its smallest
 * ({@code SWITCHBOARD_HTTP_THREADS=16}), three times as many waiting polls leave the server answering
 * other requests at once, and every poll still gets the next update.
 */
class LongPollThreadsIT {
    private static final int POLLS = 48;

    @Test
    void manyWaitingPollsLeaveThreadsForEveryoneElse() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("longpoll"), Map.of("SWITCHBOARD_HTTP_THREADS", "16"))) {
            Api api = sb.api();
            String phone = api.signUp("lena", "person", "Lena");
            String laptop = api.login("lena");
            String since = api.get("/api/v1/updates", laptop).json().path("cursor").asText();
            assertFalse(since.isEmpty(), "a first poll without since gives the cursor");

            ExecutorService clients = Executors.newFixedThreadPool(POLLS);
            try {
                List<CompletableFuture<Api.Reply>> polls = new ArrayList<>();
                for (int i = 0; i < POLLS; i++) {
                    polls.add(api.getAsync("/api/v1/updates?since=" + since + "&timeout=30", laptop, clients));
                }
                Thread.sleep(2000); // the polls are in and waiting
                assertTrue(polls.stream().noneMatch(CompletableFuture::isDone), "the polls wait while there is nothing new");

                long t0 = System.nanoTime();
                Api.Reply health = api.get("/api/v1/health", null);
                long healthMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(200, health.status(), health.toString());
                assertTrue(healthMillis < 3000, "other requests are answered while " + POLLS + " polls wait: " + healthMillis + " ms");
                assertEquals(200, api.get("/api/v1/me", phone).status(), "and so are authenticated ones");

                assertEquals(200, api.patch("/api/v1/me", phone, obj("about", "to every poll")).status());
                for (CompletableFuture<Api.Reply> poll : polls) {
                    Api.Reply r = poll.get(15, TimeUnit.SECONDS);
                    assertEquals(200, r.status(), r.toString());
                    assertEquals(1, r.json().path("updates").size(), r.toString());
                    assertEquals("to every poll", r.json().path("updates").get(0).path("data").path("about").asText());
                }
                String after = polls.get(0).get().json().path("cursor").asText();

                // Nothing new: the poll answers at its deadline with the cursor it was given.
                long t1 = System.nanoTime();
                Api.Reply quiet = api.get("/api/v1/updates?since=" + after + "&timeout=1", laptop);
                long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
                assertEquals(200, quiet.status(), quiet.toString());
                assertEquals(0, quiet.json().path("updates").size(), quiet.toString());
                assertEquals(after, quiet.json().path("cursor").asText());
                assertTrue(quietMillis >= 900 && quietMillis < 5000, "answered at its deadline: " + quietMillis + " ms");
                // Refused before waiting, as before.
                assertEquals(400, api.get("/api/v1/updates?since=" + after + "&timeout=61", laptop).status());
                assertEquals(400, api.get("/api/v1/updates?since=%7B%22%24gt%22%3A0%7D&timeout=1", laptop).status());
                assertEquals(401, api.get("/api/v1/updates?since=" + after + "&timeout=1", null).status());
            } finally {
                clients.shutdownNow();
            }
        }
    }
}
