package io.switchboard.sip.device;

import io.switchboard.sip.trunk.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of HTTP digest (RFC 2617 as RFC 3261 uses it) for one realm: MD5, {@code qop=auth}.
 *
 * <p>A nonce carries the time it was made and a random part, sealed with an HMAC under a key made at
 * random for this instance, so checking one needs nothing stored: a nonce of another instance (before a
 * restart, say) or one altered fails the HMAC. A nonce is good for {@link #NONCE_LIFETIME}; an older one,
 * answered with the right password, is {@link Outcome#STALE}: the client is asked again with
 * {@code stale=true} and answers the new nonce without asking its user. What is remembered is the
 * highest nonce count used with each live nonce, once its answer was right, so that a request seen
 * before (the same nc again, or a lower one) is not taken twice; the entries go when their nonce is too
 * old to be accepted anyway.
 */
public final class DigestVerifier {
    /** How long a nonce is accepted. */
    public static final Duration NONCE_LIFETIME = Duration.ofMinutes(5);

    private static final int TIME_BYTES = Long.BYTES;
    private static final int RANDOM_BYTES = 8;
    private static final int MAC_BYTES = 16;
    private static final Pattern NC = Pattern.compile("[0-9a-fA-F]{8}");
    private static final Pattern RESPONSE = Pattern.compile("[0-9a-fA-F]{32}");
    /** How many verifications pass between two sweeps of the nonce counts. */
    private static final int SWEEP_EVERY = 256;

    private final String realm;
    private final Clock clock;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();
    /** The highest nonce count accepted per nonce. */
    private final Map<String, Long> counts = new ConcurrentHashMap<>();
    private final AtomicInteger untilSweep = new AtomicInteger(SWEEP_EVERY);

    /** What a client sent in its Authorization or Proxy-Authorization, parameters as they came (unquoted). */
    public record Credentials(String scheme, String username, String realm, String nonce, String uri, String response,
                              String algorithm, String qop, String nc, String cnonce) {}

    public enum Outcome {
        /** The right answer to a live nonce of ours, not seen before. */
        VALID,
        /** The right answer, but to a nonce too old or with a nonce count used before: ask again with stale=true. */
        STALE,
        /** Anything else: ask again. */
        INVALID
    }

    /** The outcome and, unless valid, why (for the log: no secrets in it). */
    public record Verdict(Outcome outcome, String reason) {
        public boolean valid() {
            return outcome == Outcome.VALID;
        }
    }

    /** For {@code realm}, with a key of its own. */
    public DigestVerifier(String realm, Clock clock) {
        this(realm, clock, randomKey());
    }

    DigestVerifier(String realm, Clock clock, byte[] key) {
        this.realm = realm;
        this.clock = clock;
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    public String realm() {
        return realm;
    }

    /** A new nonce for a challenge: URL-safe base64, no quotes or commas. */
    public String nonce() {
        byte[] body = new byte[TIME_BYTES + RANDOM_BYTES];
        ByteBuffer.wrap(body).putLong(clock.millis());
        byte[] salt = new byte[RANDOM_BYTES];
        random.nextBytes(salt);
        System.arraycopy(salt, 0, body, TIME_BYTES, RANDOM_BYTES);
        byte[] nonce = new byte[body.length + MAC_BYTES];
        System.arraycopy(body, 0, nonce, 0, body.length);
        System.arraycopy(mac(body), 0, nonce, body.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    }

    /**
     * Checks {@code c}, the answer to one of our challenges, for a request of {@code method}, against the
     * user's stored {@code ha1}. A valid answer uses up its nonce count.
     */
    public Verdict verify(Credentials c, String method, String ha1) {
        sweepNowAndThen();
        String fault = malformed(c);
        if (fault != null) return new Verdict(Outcome.INVALID, fault);
        Instant issued = issued(c.nonce());
        if (issued == null) return new Verdict(Outcome.INVALID, "a nonce not ours");
        String expected = Digest.responseOfHa1(ha1, method, c.uri(), c.nonce(), c.nc(), c.cnonce(), "auth");
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                c.response().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            return new Verdict(Outcome.INVALID, "a wrong response");
        }
        if (!issued.plus(NONCE_LIFETIME).isAfter(clock.instant())) return new Verdict(Outcome.STALE, "an old nonce");
        if (!firstUse(c.nonce(), Long.parseLong(c.nc(), 16))) return new Verdict(Outcome.STALE, "a nonce count used before");
        return new Verdict(Outcome.VALID, null);
    }

    /** Why {@code c} cannot be checked at all, or null. */
    private String malformed(Credentials c) {
        if (c.scheme() == null || !c.scheme().equalsIgnoreCase("Digest")) return "scheme " + c.scheme();
        if (c.username() == null || c.username().isEmpty()) return "no username";
        if (!realm.equals(c.realm())) return "realm " + c.realm();
        if (c.algorithm() != null && !c.algorithm().equalsIgnoreCase("MD5")) return "algorithm " + c.algorithm();
        if (c.qop() == null || !c.qop().equalsIgnoreCase("auth")) return "qop " + c.qop();
        if (c.nc() == null || !NC.matcher(c.nc()).matches()) return "nc " + c.nc();
        if (c.cnonce() == null || c.cnonce().isEmpty()) return "no cnonce";
        if (c.nonce() == null || c.uri() == null || c.uri().isEmpty()) return "no nonce or uri";
        if (c.response() == null || !RESPONSE.matcher(c.response()).matches()) return "a response not 32 hex digits";
        return null;
    }

    /** When our nonce was made, or null when it is not one of ours (or altered). */
    private Instant issued(String nonce) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != TIME_BYTES + RANDOM_BYTES + MAC_BYTES) return null;
        // base64 ignores the unused low bits of the last character: only the one spelling we wrote is ours,
        // or another string would name the same nonce with nonce counts of its own
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(nonce)) return null;
        byte[] body = new byte[TIME_BYTES + RANDOM_BYTES];
        System.arraycopy(bytes, 0, body, 0, body.length);
        byte[] seal = new byte[MAC_BYTES];
        System.arraycopy(bytes, body.length, seal, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(seal, mac(body))) return null;
        return Instant.ofEpochMilli(ByteBuffer.wrap(body).getLong());
    }

    /** True, and remembered, when {@code nc} is higher than every count used with {@code nonce} so far. */
    private boolean firstUse(String nonce, long nc) {
        boolean[] first = {false};
        counts.compute(nonce, (n, highest) -> {
            if (highest != null && highest >= nc) return highest;
            first[0] = true;
            return nc;
        });
        return first[0];
    }

    private void sweepNowAndThen() {
        if (untilSweep.decrementAndGet() > 0) return;
        untilSweep.set(SWEEP_EVERY);
        Instant oldest = clock.instant().minus(NONCE_LIFETIME);
        for (Iterator<String> i = counts.keySet().iterator(); i.hasNext(); ) {
            Instant issued = issued(i.next());
            if (issued == null || !issued.isAfter(oldest)) i.remove();
        }
    }

    /** How many nonces have counts remembered (for tests). */
    int remembered() {
        return counts.size();
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(realm.getBytes(StandardCharsets.UTF_8));
            byte[] full = mac.doFinal(body);
            byte[] out = new byte[MAC_BYTES];
            System.arraycopy(full, 0, out, 0, MAC_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
