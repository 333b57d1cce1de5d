package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The client contract at its edges, on one running instance: bad input of every kind gets a clear 4xx
 * with the error envelope and writes nothing; the stream's rules; the operators' API; health.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiContractIT {
    private Switchboard sb;
    private Api api;

    @BeforeAll
    void start() throws Exception {
        sb = Switchboard.start(Switchboard.workDir("contract"));
        api = sb.api();
    }

    @AfterAll
    void stop() throws Exception {
        if (sb != null) sb.stop();
    }

    private void assertError(Api.Reply r, int status, String code) {
        assertEquals(status, r.status(), r.toString());
        JsonNode error = r.json().path("error");
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isEmpty(), r.toString());
        if (code != null) assertEquals(code, error.path("code").asText(), r.toString());
    }

    private void assertNoAccount(String handle) throws Exception {
        assertEquals(404, api.get("/api/v1/accounts/" + handle, null).status(), handle + " must not exist");
    }

    private Api.Reply register(Object body) throws Exception {
        return api.post("/api/v1/accounts", null, body);
    }

    @Test
    void malformedAndMistypedBodiesAreRefused() throws Exception {
        assertError(register("{\"handle\":\"mal1\",\"password\":"), 400, "malformed_json");
        assertError(register("not json at all"), 400, "malformed_json");
        assertError(register("{\"handle\":\"mal2\",\"handle\":\"mal3\",\"password\":\"longenough1\"}"), 400, null);
        assertError(register(obj("handle", 12345, "displayName", "N", "password", "longenough1", "kind", "person")),
                400, "invalid_type");
        assertError(register(obj("handle", "mal4", "displayName", "N", "password", "longenough1",
                "kind", new String[] {"person"})), 400, "invalid_type");
        assertError(register(obj("handle", "mal5", "displayName", "N", "password", true, "kind", "person")),
                400, "invalid_type");
        assertError(register(obj("handle", "mal6", "password", "longenough1", "kind", "person", "admin", true)),
                400, "unknown_field");
        assertError(register(obj("handle", "mal7", "password", "longenough1", "kind", "emperor")), 400, null);
        assertError(api.send("POST", "/api/v1/accounts", null, HttpRequest.BodyPublishers.noBody(),
                "application/json"), 400, null);
        for (String h : new String[] {"mal1", "mal2", "mal3", "mal4", "mal5", "mal6", "mal7"}) assertNoAccount(h);
    }

    @Test
    void operatorObjectsOnLoginAreATypeErrorNotAMatch() throws Exception {
        api.signUp("victim", "person", "Victim");
        Api.Reply r = api.post("/api/v1/sessions", null, "{\"handle\":{\"$gt\":\"\"},\"password\":{\"$gt\":\"\"}}");
        assertError(r, 400, "invalid_type");
        assertFalse(r.body().contains("token"));
        assertError(api.post("/api/v1/sessions", null, "{\"handle\":\"victim\",\"password\":{\"$ne\":null}}"),
                400, "invalid_type");
        assertError(api.post("/api/v1/accounts", null,
                "{\"handle\":{\"$gt\":\"\"},\"displayName\":\"x\",\"password\":\"longenough1\",\"kind\":\"person\"}"),
                400, "invalid_type");
    }

    @Test
    void oversizeBodiesAre413() throws Exception {
        char[] big = new char[2 * 1024 * 1024];
        Arrays.fill(big, 'a');
        String body = "{\"handle\":\"bigbody\",\"displayName\":\"" + new String(big)
                + "\",\"password\":\"longenough1\",\"kind\":\"person\"}";
        assertError(api.post("/api/v1/accounts", null, body), 413, "body_too_large");
        // Without a Content-Length the body is cut off while it streams in.
        String status = RawHttp.postChunked(sb.port(), "/api/v1/accounts", body.getBytes(StandardCharsets.UTF_8));
        assertTrue(status.startsWith("HTTP/1.1 413"), status);
        assertTrue(status.contains("body_too_large"), status);
        assertNoAccount("bigbody");
    }

    @Test
    void handleRules() throws Exception {
        String[] invalid = {"al ice", "1alice", "ab", "a".repeat(33), "ali-ce", "\u0430\u0441me", "acme\u200b",
                "", "al\u0131ce"};
        for (String h : invalid) {
            Api.Reply r = register(obj("handle", h, "displayName", "X", "password", "longenough1", "kind", "person"));
            assertError(r, 400, "invalid_handle");
        }
        for (String h : new String[] {"admin", "Root", "support", "SYSTEM", "switchboard"}) {
            Api.Reply r = register(obj("handle", h, "displayName", "X", "password", "longenough1", "kind", "person"));
            assertEquals(400, r.status(), h + ": " + r);
            assertNoAccount(h.toLowerCase());
        }
        assertError(register(obj("handle", "emptypw", "displayName", "X", "password", "", "kind", "person")),
                400, "weak_password");
        assertNoAccount("emptypw");

        assertEquals(201, register(obj("handle", "casey", "displayName", "Casey", "password", "longenough1",
                "kind", "person")).status());
        assertError(register(obj("handle", "CASEY", "displayName", "Impostor", "password", "longenough2",
                "kind", "person")), 409, "handle_taken");
        assertEquals("Casey", api.get("/api/v1/accounts/casey", null).json().path("displayName").asText(),
                "the first account is unchanged");
        assertError(api.get("/api/v1/accounts/\u0430\u0441me", null), 404, null);
    }

    @Test
    void tokensAndAuthentication() throws Exception {
        assertError(api.get("/api/v1/me", null), 401, null);
        assertError(api.get("/api/v1/me", "not-a-real-token"), 401, "invalid_token");
        assertError(api.send("GET", "/api/v1/me", null, null, null), 401, null);
        Api.Reply wrong = api.post("/api/v1/sessions", null, obj("handle", "nobody_here", "password", "whatever1"));
        assertError(wrong, 401, "invalid_credentials");
        String token = api.signUp("dora", "person", "Dora");
        assertError(api.patch("/api/v1/me", token, obj("displayName", 42)), 400, "invalid_type");
        assertError(api.patch("/api/v1/me", token, obj("about", "x".repeat(5000))), 400, null);
        assertEquals("Dora", api.get("/api/v1/me", token).json().path("displayName").asText(), "nothing changed");
    }

    @Test
    void failedLoginsAreRateLimited() throws Exception {
        api.signUp("eve_target", "person", "Target");
        Api.Reply last = null;
        for (int i = 0; i < 12; i++) {
            last = api.post("/api/v1/sessions", null, obj("handle", "eve_target", "password", "wrong password " + i));
            if (last.status() == 429) break;
            assertEquals(401, last.status(), last.toString());
        }
        assertError(last, 429, "rate_limited");
        assertTrue(last.header("Retry-After").map(v -> Long.parseLong(v) > 0).orElse(false), "Retry-After is set");
        Api.Reply right = api.post("/api/v1/sessions", null, obj("handle", "eve_target",
                "password", "correct horse eve_target"));
        assertEquals(429, right.status(), "the right password does not get through while limited");
    }

    @Test
    void unknownPathsAndMethodsUseTheEnvelope() throws Exception {
        assertError(api.get("/api/v1/no-such-thing", null), 404, "not_found");
        assertError(api.get("/nothing/here", null), 404, "not_found");
        assertError(api.delete("/api/v1/health", null), 405, null);
        assertError(api.get("/api/v1/directory", null), 400, null);
        assertError(api.get("/api/v1/directory?q=" + "x".repeat(100), null), 400, null);
        assertError(api.get("/api/v1/directory?q=abc&kind=planet", null), 400, null);
        assertError(api.get("/api/v1/directory?q=abc&limit=lots", null), 400, null);
        assertError(api.get("/api/v1/updates?since=abc&timeout=0", api.signUp("frank", "person", "Frank")), 400,
                "invalid_cursor");
        assertError(api.get("/api/v1/updates?since=0&timeout=0", null), 401, null);
        Api.Reply stream = api.get("/api/v1/stream", null);
        assertEquals(400, stream.status(), "a plain GET of the stream path: " + stream);
        assertError(stream, 400, "websocket_required");
    }

    @Test
    void healthAndOpenApi() throws Exception {
        JsonNode health = api.get("/api/v1/health", null).json();
        assertEquals("ok", health.path("status").asText());
        assertTrue(health.path("bundles").path("active").asInt() > 40, health.toString());
        assertTrue(health.path("bundles").path("total").asInt() >= health.path("bundles").path("active").asInt());
        Api.Reply spec = api.get("/api/v1/openapi.yaml", null);
        assertEquals(200, spec.status());
        assertTrue(spec.body().startsWith("openapi:"), spec.body());
    }

    @Test
    void streamFramesBeforeAuthAndGarbage() throws Exception {
        String token = api.signUp("gina", "person", "Gina");
        try (StreamClient ws = StreamClient.connect(sb.wsUrl())) {
            ws.sendText("this is not json");
            assertEquals("malformed_frame", ws.awaitType("error", 10).path("data").path("code").asText());
            ws.sendText("[1,2,3]");
            assertEquals("malformed_frame", ws.awaitType("error", 10).path("data").path("code").asText());
            ws.sendText("{\"type\":\"ping\"}");
            assertEquals("not_authenticated", ws.awaitType("error", 10).path("data").path("code").asText());
            ws.sendText(Api.JSON.writeValueAsString(obj("type", "auth", "token", token)));
            JsonNode ready = ws.awaitType("ready", 10);
            assertEquals("gina", ready.path("data").path("handle").asText());
            ws.sendText("{\"type\":\"no.such.type\"}");
            assertEquals("unknown_type", ws.awaitType("error", 10).path("data").path("code").asText());
            ws.sendText("{\"type\":\"ping\"}");
            assertTrue(ws.awaitType("pong", 10).path("cursor").isNull());
        }
        try (StreamClient ws = StreamClient.connect(sb.wsUrl())) {
            ws.sendText("{\"type\":\"auth\",\"token\":{\"$gt\":\"\"}}");
            assertEquals(4401, ws.closeCode(10));
        }
        try (StreamClient ws = StreamClient.connect(sb.wsUrl())) {
            ws.sendText("{\"type\":\"auth\",\"token\":\"forged\"}");
            assertEquals(4401, ws.closeCode(10));
        }
    }

    /**
     * The socket itself: a message in fragments is put together, a ping is answered with its payload,
     * and a binary message, one over 64 KiB and text that is not UTF-8 close the socket with 1003, 1009
     * and 1007.
     */
    @Test
    void streamSocketFramesFragmentsPingsAndBadMessages() throws Exception {
        String token = api.signUp("hugo", "person", "Hugo");
        String auth = Api.JSON.writeValueAsString(obj("type", "auth", "token", token));
        try (StreamClient ws = StreamClient.connect(sb.wsUrl())) {
            ws.sendText(auth.substring(0, 10), false);
            ws.sendText(auth.substring(10, 20), false);
            ws.sendText(auth.substring(20), true);
            assertEquals("hugo", ws.awaitType("ready", 10).path("data").path("handle").asText(), "three fragments, one frame");
            assertArrayEquals("are you there".getBytes(StandardCharsets.UTF_8),
                    ws.ping("are you there".getBytes(StandardCharsets.UTF_8), 10));
            ws.sendText("{\"type\":\"ping\"}");
            assertTrue(ws.awaitType("pong", 10).path("cursor").isNull(), "still in service after the ping");
            ws.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, ws.closeCode(10));
        }
        try (StreamClient ws = StreamClient.connect(sb.wsUrl())) {
            ws.sendText("{\"type\":\"" + "x".repeat(40 * 1024), false);
            ws.sendText("x".repeat(40 * 1024) + "\"}", true);
            assertEquals(1009, ws.closeCode(10), "a message over 64 KiB");
        }
        assertEquals(1007, RawWebSocket.closeCodeAfterText(sb.port(), "/api/v1/stream", new byte[] {'"', (byte) 0xC3, 0x28, '"'}),
                "text that is not UTF-8");
    }

    @Test
    void adminApi() throws Exception {
        String admin = Switchboard.ADMIN_TOKEN;
        assertError(api.get("/api/v1/admin/bundles", null), 401, null);
        assertError(api.get("/api/v1/admin/bundles", "wrong"), 401, null);
        String userToken = api.signUp("mallory", "person", "Mallory");
        assertError(api.get("/api/v1/admin/bundles", userToken), 401, null);

        JsonNode list = api.get("/api/v1/admin/bundles", admin).json().path("bundles");
        JsonNode gateway = find(list, "io.switchboard.gateway");
        assertNotNull(gateway);
        assertEquals("active", gateway.path("state").asText());

        assertError(api.postRaw("/api/v1/admin/bundles", admin, "garbage".getBytes(), "application/java-archive"),
                400, "invalid_bundle");
        assertError(api.post("/api/v1/admin/bundles/999999/stop", admin, "{}"), 404, null);
        assertError(api.post("/api/v1/admin/bundles/abc/stop", admin, "{}"), 404, null);
        assertError(api.post("/api/v1/admin/bundles/0/stop", admin, "{}"), 403, "protected_bundle");

        String token = api.signUp("oscar", "person", "Oscar");
        Api.Reply installed = api.postRaw("/api/v1/admin/bundles", admin, HelloJar.bytes(), "application/java-archive");
        assertEquals(201, installed.status(), installed.toString());
        assertEquals("active", installed.json().path("state").asText());
        long id = installed.json().path("id").asLong();
        HotDeployIT.awaitHello(api, token, r -> r.status() == 200, 30);
        assertError(api.postRaw("/api/v1/admin/bundles", admin, HelloJar.bytes(), "application/java-archive"),
                409, "bundle_exists");

        assertEquals("resolved", api.post("/api/v1/admin/bundles/" + id + "/stop", admin, "{}").json()
                .path("state").asText());
        HotDeployIT.awaitHello(api, token, r -> r.status() == 404, 30);
        assertEquals("active", api.post("/api/v1/admin/bundles/" + id + "/start", admin, "{}").json()
                .path("state").asText());
        HotDeployIT.awaitHello(api, token, r -> r.status() == 200, 30);

        Path rebuilt = HelloJar.rebuiltWith("ahoy", Switchboard.workDir("contract-jar").resolve("hello.jar"));
        Api.Reply updated = api.postRaw("/api/v1/admin/bundles/" + id + "/update", admin,
                java.nio.file.Files.readAllBytes(rebuilt), "application/java-archive");
        assertEquals(200, updated.status(), updated.toString());
        HotDeployIT.awaitHello(api, token, r -> r.status() == 200
                && "ahoy".equals(r.json().path("greeting").asText()), 30);

        assertEquals(204, api.delete("/api/v1/admin/bundles/" + id, admin).status());
        HotDeployIT.awaitHello(api, token, r -> r.status() == 404, 30);
        assertError(api.get("/api/v1/admin/bundles/" + id, admin), 404, null);
    }

    private static JsonNode find(JsonNode bundles, String symbolicName) {
        for (JsonNode b : bundles) if (symbolicName.equals(b.path("symbolicName").asText())) return b;
        return null;
    }
}
