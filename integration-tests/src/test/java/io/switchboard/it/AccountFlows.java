package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/** The account scenario shared by the embedded and the external database runs. */
final class AccountFlows {
    private AccountFlows() {}

    static void registerLoginMeDirectoryLogout(Api api, String wsUrl) throws Exception {
        Api.Reply reg = api.post("/api/v1/accounts", null, obj("handle", "Alice", "displayName", "Alice Liddell",
                "password", "correct horse alice", "kind", "person"));
        assertEquals(201, reg.status(), reg.toString());
        assertEquals("alice", reg.json().path("handle").asText(), "handles are lower-cased");
        assertEquals("person", reg.json().path("kind").asText());
        assertTrue(reg.json().path("id").isTextual());
        assertTrue(reg.json().path("password").isMissingNode(), "no password comes back");

        Api.Reply biz = api.post("/api/v1/accounts", null, obj("handle", "acme_bank", "displayName", "Ácme Bänk",
                "password", "correct horse acme_bank", "kind", "business"));
        assertEquals(201, biz.status(), biz.toString());

        Api.Reply login = api.post("/api/v1/sessions", null, obj("handle", "alice", "password", "correct horse alice",
                "deviceName", "laptop"));
        assertEquals(201, login.status(), login.toString());
        String token = login.json().path("token").asText();
        assertTrue(token.length() >= 40, "a 256-bit token");
        assertEquals("alice", login.json().path("account").path("handle").asText());

        Api.Reply me = api.get("/api/v1/me", token);
        assertEquals(200, me.status(), me.toString());
        assertEquals("Alice Liddell", me.json().path("displayName").asText());

        Api.Reply patched = api.patch("/api/v1/me", token, obj("about", "Down the rabbit hole"));
        assertEquals(200, patched.status(), patched.toString());
        assertEquals("Down the rabbit hole", patched.json().path("about").asText());

        // Directory: word prefix, accents and case ignored, businesses marked.
        JsonNode found = api.get("/api/v1/directory?q=acme%20BANK", null).json().path("results");
        assertEquals(1, found.size(), found.toString());
        assertEquals("acme_bank", found.get(0).path("handle").asText());
        assertEquals("business", found.get(0).path("kind").asText());
        assertTrue(found.get(0).has("verified"));
        JsonNode byName = api.get("/api/v1/directory?q=liddell", null).json().path("results");
        assertEquals("alice", byName.get(0).path("handle").asText());
        JsonNode businesses = api.get("/api/v1/directory?q=a&kind=business", null).json().path("results");
        assertTrue(businesses.size() >= 1);
        businesses.forEach(r -> assertEquals("business", r.path("kind").asText()));

        Api.Reply profile = api.get("/api/v1/accounts/ACME_BANK", null);
        assertEquals(200, profile.status(), profile.toString());
        assertEquals("Ácme Bänk", profile.json().path("displayName").asText());

        // The stream accepts the same token.
        try (StreamClient ws = StreamClient.open(wsUrl, token, null)) {
            ws.sendText("{\"type\":\"ping\"}");
            ws.awaitType("pong", 10);
        }

        Api.Reply logout = api.delete("/api/v1/sessions/current", token);
        assertEquals(204, logout.status(), logout.toString());
        Api.Reply dead = api.get("/api/v1/me", token);
        assertEquals(401, dead.status(), "the token is dead after logout: " + dead);
        try (StreamClient ws = StreamClient.connect(wsUrl)) {
            ws.sendText(Api.JSON.writeValueAsString(obj("type", "auth", "token", token)));
            assertEquals(4401, ws.closeCode(10), "a dead token cannot open the stream");
        }
    }

    static void accountsStillThere(Api api) throws Exception {
        String token = api.login("alice");
        Api.Reply me = api.get("/api/v1/me", token);
        assertEquals(200, me.status(), me.toString());
        assertEquals("Down the rabbit hole", me.json().path("about").asText());
        assertEquals("acme_bank", api.get("/api/v1/directory?q=acme", null).json().path("results").get(0)
                .path("handle").asText());
        String other = api.login("acme_bank");
        assertNotEquals(token, other);
    }
}
