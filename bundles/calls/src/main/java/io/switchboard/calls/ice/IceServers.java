package io.switchboard.calls.ice;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ICE servers handed to RTCPeerConnection. STUN URLs go out as they are; TURN URLs get
 * short-lived credentials in the TURN REST API style that coturn checks with {@code use-auth-secret}:
 * username {@code <expiry unix seconds>:<handle>}, credential base64(HMAC-SHA1(secret, username)).
 * Without a secret, TURN URLs are left out (they would be useless to clients).
 */
public final class IceServers {
    private static final Pattern URL = Pattern.compile("(stun|stuns|turn|turns):[A-Za-z0-9.\\-\\[\\]:]+(\\?transport=(udp|tcp))?");

    private final List<String> stun = new ArrayList<>();
    private final List<String> turn = new ArrayList<>();
    private final byte[] secret;
    private final Duration ttl;
    private final Clock clock;

    /**
     * @param urls   comma-separated, as in SWITCHBOARD_ICE_SERVERS
     * @throws IllegalArgumentException naming the first entry that is not a STUN or TURN URL
     */
    public IceServers(String urls, String secret, Duration ttl, Clock clock) {
        this.secret = secret == null || secret.isBlank() ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.ttl = ttl;
        this.clock = clock;
        if (urls == null) return;
        for (String raw : urls.split(",")) {
            String url = raw.strip();
            if (url.isEmpty()) continue;
            if (!URL.matcher(url).matches()) {
                throw new IllegalArgumentException("Not a STUN or TURN URL: '" + url + "'");
            }
            (url.startsWith("turn") ? turn : stun).add(url);
        }
    }

    /** TURN URLs that are configured but cannot be handed out (no secret). */
    public boolean turnWithoutSecret() {
        return !turn.isEmpty() && secret == null;
    }

    /** {@code [{urls:[stun…]}, {urls:[turn…], username, credential}]} for this account. */
    public List<Map<String, Object>> forAccount(String handle) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!stun.isEmpty()) out.add(Map.of("urls", List.copyOf(stun)));
        if (!turn.isEmpty() && secret != null) {
            String username = (clock.instant().getEpochSecond() + ttl.toSeconds()) + ":" + handle;
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("urls", List.copyOf(turn));
            server.put("username", username);
            server.put("credential", credential(secret, username));
            out.add(server);
        }
        return out;
    }

    static String credential(byte[] secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA1 is missing from this JVM", e);
        }
    }
}
