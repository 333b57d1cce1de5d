package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The block list over real HTTP: PUT and DELETE by handle are idempotent, the list is newest first and
 * only ever the caller's own, and bad input gets the error envelope. Each test uses its own accounts
 * on one shared runtime.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BlocksIT {
    private Switchboard sb;
    private Api api;

    @BeforeAll
    void start() throws Exception {
        sb = Switchboard.start(Switchboard.workDir("blocks"));
        api = sb.api();
    }

    @AfterAll
    void stop() throws Exception {
        if (sb != null) sb.close();
    }

    private void assertError(Api.Reply r, int status, String code) {
        assertEquals(status, r.status(), r.toString());
        JsonNode error = r.json().path("error");
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isEmpty(), r.toString());
        if (code != null) assertEquals(code, error.path("code").asText(), r.toString());
    }

    private void assertNoContent(Api.Reply r) {
        assertEquals(204, r.status(), r.toString());
        assertTrue(r.body() == null || r.body().isEmpty(), r.toString());
    }

    /** PUT without a body, as a client blocks: the handle in the path says it all. */
    private Api.Reply block(String handle, String token) throws Exception {
        return api.send("PUT", "/api/v1/blocks/" + handle, token, null, null);
    }

    private List<String> blockedHandles(String token) throws Exception {
        Api.Reply r = api.get("/api/v1/blocks", token);
        assertEquals(200, r.status(), r.toString());
        List<String> handles = new ArrayList<>();
        r.json().path("blocks").forEach(b -> handles.add(b.path("handle").asText()));
        return handles;
    }

    @Test
    void blockUnblockAndListNewestFirst() throws Exception {
        String alice = api.signUp("bl_alice", "person", "Alice");
        api.signUp("bl_bob", "person", "Bob Builder");
        api.signUp("bl_acme", "business", "Acme");
        assertEquals(List.of(), blockedHandles(alice));

        assertNoContent(block("bl_bob", alice));
        assertNoContent(block("BL_ACME", alice));
        assertNoContent(block("bl_bob", alice));

        Api.Reply list = api.get("/api/v1/blocks", alice);
        assertEquals(200, list.status(), list.toString());
        JsonNode blocks = list.json().path("blocks");
        assertEquals(2, blocks.size(), "blocking twice keeps one entry: " + blocks);
        assertEquals("bl_acme", blocks.get(0).path("handle").asText(), "newest first: " + blocks);
        assertEquals("Acme", blocks.get(0).path("displayName").asText());
        JsonNode bob = blocks.get(1);
        assertEquals("bl_bob", bob.path("handle").asText());
        assertEquals("Bob Builder", bob.path("displayName").asText());
        Instant blockedAt = Instant.parse(bob.path("blockedAt").asText());
        assertTrue(blockedAt.isBefore(Instant.now().plusSeconds(60)), blockedAt.toString());
        assertEquals(3, bob.size(), "only handle, displayName and blockedAt: " + bob);

        assertNoContent(api.delete("/api/v1/blocks/bl_bob", alice));
        assertNoContent(api.delete("/api/v1/blocks/bl_bob", alice));
        assertEquals(List.of("bl_acme"), blockedHandles(alice));
        assertNoContent(block("bl_bob", alice));
        assertEquals(List.of("bl_bob", "bl_acme"), blockedHandles(alice), "blocked again: newest again");
    }

    @Test
    void badInputIsRefusedAndWritesNothing() throws Exception {
        String carol = api.signUp("bl_carol", "person", "Carol");
        api.signUp("bl_dave", "person", "Dave");

        assertError(api.get("/api/v1/blocks", null), 401, null);
        assertError(block("bl_dave", null), 401, null);
        assertError(api.delete("/api/v1/blocks/bl_dave", null), 401, null);
        assertError(block("bl_dave", "not-a-real-token"), 401, "invalid_token");
        assertError(api.get("/api/v1/blocks", "not-a-real-token"), 401, "invalid_token");

        assertError(block("bl_nobody", carol), 404, "not_found");
        assertError(api.delete("/api/v1/blocks/bl_nobody", carol), 404, "not_found");
        // Like a profile look-up, anything that is not a valid handle is simply not found.
        assertError(block("ab", carol), 404, "not_found");
        assertError(block("bl_d%D0%B0ve", carol), 404, "not_found");
        assertError(block("bl_carol", carol), 400, "invalid_handle");
        assertError(block("BL_CAROL", carol), 400, "invalid_handle");
        assertError(api.delete("/api/v1/blocks/bl_carol", carol), 400, "invalid_handle");

        assertError(api.post("/api/v1/blocks/bl_dave", carol, "{}"), 405, "method_not_allowed");
        assertError(api.get("/api/v1/blocks/bl_dave", carol), 405, "method_not_allowed");
        assertError(api.patch("/api/v1/blocks/bl_dave", carol, "{}"), 405, "method_not_allowed");
        assertError(api.put("/api/v1/blocks", carol, "{\"handle\":\"bl_dave\"}"), 405, "method_not_allowed");
        assertError(api.delete("/api/v1/blocks", carol), 405, "method_not_allowed");

        assertEquals(List.of(), blockedHandles(carol), "nothing was blocked");
    }

    @Test
    void everyoneSeesOnlyTheirOwnList() throws Exception {
        String erin = api.signUp("bl_erin", "person", "Erin");
        String frank = api.signUp("bl_frank", "person", "Frank");
        api.signUp("bl_gina", "person", "Gina");

        assertNoContent(block("bl_gina", erin));
        assertNoContent(block("bl_erin", frank));
        assertEquals(List.of("bl_gina"), blockedHandles(erin));
        assertEquals(List.of("bl_erin"), blockedHandles(frank), "frank sees his own block, not erin's");

        // There is no way to name someone else's list, and another's unblock is only their own.
        assertNoContent(api.delete("/api/v1/blocks/bl_gina", frank));
        assertEquals(List.of("bl_gina"), blockedHandles(erin), "frank's DELETE does not touch erin's block");
        String gina = api.login("bl_gina");
        assertEquals(List.of(), blockedHandles(gina), "being blocked does not show on the blocked side");
        Api.Reply query = api.get("/api/v1/blocks?handle=bl_erin", gina);
        assertEquals(200, query.status(), query.toString());
        assertEquals(0, query.json().path("blocks").size(), "a query string does not reach another list: " + query);
    }
}
