package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** ICE servers from the environment, TURN credentials a coturn with the same secret would accept. */
class IceServersIT {

    @Test
    void stunAsConfiguredTurnWithShortLivedCredentials() throws Exception {
        try (Switchboard sb = Switchboard.start(Switchboard.workDir("ice"), Switchboard.env(
                "SWITCHBOARD_ICE_SERVERS", "stun:127.0.0.1:3478,turn:127.0.0.1:3478?transport=udp",
                "SWITCHBOARD_TURN_SECRET", "north wind"))) {
            Api api = sb.api();
            assertEquals(401, api.get("/api/v1/calls/ice-servers", null).status());
            String token = api.signUp("iris", "person", "Iris");
            Api.Reply r = api.get("/api/v1/calls/ice-servers", token);
            assertEquals(200, r.status(), r.toString());
            JsonNode servers = r.json().path("iceServers");
            assertEquals(2, servers.size(), servers.toString());
            assertEquals("stun:127.0.0.1:3478", servers.get(0).path("urls").get(0).asText());
            JsonNode turn = servers.get(1);
            assertEquals("turn:127.0.0.1:3478?transport=udp", turn.path("urls").get(0).asText());
            String username = turn.path("username").asText();
            assertTrue(username.endsWith(":iris"), username);
            long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
            long now = System.currentTimeMillis() / 1000;
            assertTrue(expiry > now + 3000 && expiry <= now + 3700, "about an hour from now: " + username);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec("north wind".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            assertEquals(Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))),
                    turn.path("credential").asText(), "what coturn checks with use-auth-secret");
        }
    }
}
