package io.switchboard.calls.ice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IceServersTest {
    private final Clock clock = Clock.fixed(Instant.ofEpochSecond(1_795_996_400L), ZoneOffset.UTC);

    @Test
    void turnCredentialsFollowTheTurnRestApi() {
        // Expected value computed outside Java: base64(HMAC-SHA1("north wind", "1796000000:alice")).
        assertEquals("WEebwOINtUheh4plCoyckFMRtmI=",
                IceServers.credential("north wind".getBytes(StandardCharsets.UTF_8), "1796000000:alice"));
        IceServers servers = new IceServers("stun:stun.example.org:3478, turn:turn.example.org:3478?transport=udp,"
                + "turns:turn.example.org:5349", "north wind", Duration.ofHours(1), clock);
        List<Map<String, Object>> out = servers.forAccount("alice");
        assertEquals(List.of("stun:stun.example.org:3478"), out.get(0).get("urls"));
        assertEquals(List.of("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"), out.get(1).get("urls"));
        assertEquals("1796000000:alice", out.get(1).get("username"), "expires an hour from now");
        assertEquals("WEebwOINtUheh4plCoyckFMRtmI=", out.get(1).get("credential"));
    }

    @Test
    void withoutASecretTurnIsLeftOut() {
        IceServers servers = new IceServers("stun:s.example:3478,turn:t.example:3478", null, Duration.ofHours(1), clock);
        assertTrue(servers.turnWithoutSecret());
        assertEquals(1, servers.forAccount("bob").size());
        assertEquals(0, new IceServers(null, "x", Duration.ofHours(1), clock).forAccount("bob").size());
    }

    @Test
    void anythingElseIsRefusedWithItsName() {
        for (String bad : new String[] {"http://evil.example", "stun:host with space", "turn:a.example:1?transport=sctp",
                "javascript:alert(1)", "stun:"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new IceServers(bad, "s", Duration.ofHours(1), clock), bad);
            assertTrue(e.getMessage().contains(bad.strip()), e.getMessage());
        }
    }
}
