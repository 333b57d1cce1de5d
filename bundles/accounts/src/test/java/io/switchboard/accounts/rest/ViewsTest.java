package io.switchboard.accounts.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.switchboard.accounts.store.BlockedAccount;
import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The bodies bind and render with field names exactly as API.md names them (a mapper as strict as the gateway's). */
class ViewsTest {
    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @Test
    void requestBodiesBindAndOptionalFieldsMayBeAbsent() throws Exception {
        Views.Registration r = mapper.readValue(
                "{\"handle\":\"Alice\",\"displayName\":\"A\",\"password\":\"secret123\",\"kind\":\"person\"}",
                Views.Registration.class);
        assertEquals(new Views.Registration("Alice", "A", "secret123", "person"), r);
        Views.Login l = mapper.readValue("{\"handle\":\"alice\",\"password\":\"p\"}", Views.Login.class);
        assertNull(l.deviceName());
        Views.ProfileChange c = mapper.readValue("{\"about\":\"\"}", Views.ProfileChange.class);
        assertNull(c.displayName());
        assertEquals("", c.about());
        assertThrows(Exception.class, () -> mapper.readValue("{\"handle\":\"a\",\"admin\":true}", Views.Login.class));
    }

    @Test
    void responsesUseTheApiFieldNames() throws Exception {
        AccountInfo a = new AccountInfo("id1", "acme", "Acme", AccountKind.BUSINESS, "We sell", true,
                Instant.parse("2026-01-02T03:04:05Z"));
        JsonNode account = mapper.valueToTree(new Views.Session("tok", Views.Account.of(a)));
        assertEquals("tok", account.get("token").asText());
        assertEquals("{\"id\":\"id1\",\"handle\":\"acme\",\"displayName\":\"Acme\",\"kind\":\"business\",\"about\":\"We sell\","
                + "\"verified\":true,\"createdAt\":\"2026-01-02T03:04:05Z\"}", account.get("account").toString());
        assertEquals("{\"id\":\"id1\",\"handle\":\"acme\",\"displayName\":\"Acme\",\"kind\":\"business\"}",
                mapper.writeValueAsString(Views.Created.of(a)));
        assertEquals("{\"results\":[{\"handle\":\"acme\",\"displayName\":\"Acme\",\"kind\":\"business\",\"about\":\"We sell\",\"verified\":true}]}",
                mapper.writeValueAsString(new Views.Results(java.util.List.of(Views.Entry.of(a)))));
        assertEquals("{\"id\":\"id1\",\"handle\":\"acme\",\"displayName\":\"Acme\",\"kind\":\"business\",\"about\":\"We sell\",\"verified\":true}",
                mapper.writeValueAsString(Views.Profile.of(a)));
        assertEquals("{\"blocks\":[{\"handle\":\"acme\",\"displayName\":\"Acme\",\"blockedAt\":\"2026-01-02T03:04:05Z\"}]}",
                mapper.writeValueAsString(new Views.Blocks(java.util.List.of(Views.Blocked.of(
                        new BlockedAccount("acme", "Acme", Instant.parse("2026-01-02T03:04:05Z")))))));
    }
}
