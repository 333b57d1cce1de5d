package io.switchboard.sip.device;

import static io.switchboard.sip.device.DigestVerifier.Outcome.INVALID;
import static io.switchboard.sip.device.DigestVerifier.Outcome.STALE;
import static io.switchboard.sip.device.DigestVerifier.Outcome.VALID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sip.device.DigestVerifier.Credentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The server side of digest: answers are worked out here with MessageDigest, not with the code under
 * test, from the password; the verifier only knows the HA1.
 */
class DigestVerifierTest {
    private static final String REALM = "sip.example.com";
    private static final String USER = "alice.k3x9qz";
    private static final String PASSWORD = "correct horse";
    /** MD5("alice.k3x9qz:sip.example.com:correct horse"), worked out with Python's hashlib. */
    private static final String HA1 = "1773996e51703afa4bd399eaf02c00da";
    private static final String URI = "sip:" + REALM;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T09:00:00Z"));
    private final DigestVerifier verifier = new DigestVerifier(REALM, clock);

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** What a phone answers with the password, as RFC 2617 section 3.2.2.1 says, qop=auth. */
    private static Credentials answer(String password, String nonce, String nc, String method) throws Exception {
        String ha1 = md5(USER + ":" + REALM + ":" + password);
        String response = md5(ha1 + ":" + nonce + ":" + nc + ":0a4f113b:auth:" + md5(method + ":" + URI));
        return new Credentials("Digest", USER, REALM, nonce, URI, response, "MD5", "auth", nc, "0a4f113b");
    }

    private static Credentials with(Credentials c, String field, String value) {
        return new Credentials(field.equals("scheme") ? value : c.scheme(), field.equals("username") ? value : c.username(),
                field.equals("realm") ? value : c.realm(), field.equals("nonce") ? value : c.nonce(),
                field.equals("uri") ? value : c.uri(), field.equals("response") ? value : c.response(),
                field.equals("algorithm") ? value : c.algorithm(), field.equals("qop") ? value : c.qop(),
                field.equals("nc") ? value : c.nc(), field.equals("cnonce") ? value : c.cnonce());
    }

    @Test
    void theRightAnswerToOurNonceIsValid() throws Exception {
        String nonce = verifier.nonce();
        assertTrue(nonce.matches("[A-Za-z0-9_-]{20,}"), "no quote, comma or space to escape: " + nonce);
        assertTrue(verifier.verify(answer(PASSWORD, nonce, "00000001", "REGISTER"), "REGISTER", HA1).valid());
        // upper-case hex is the same response
        Credentials upper = answer(PASSWORD, nonce, "00000002", "INVITE");
        assertEquals(VALID, verifier.verify(with(upper, "response", upper.response().toUpperCase()), "INVITE", HA1).outcome());
        assertNotEquals(nonce, verifier.nonce(), "each challenge its own nonce");
    }

    @Test
    void aWrongPasswordOrAnAnswerForAnotherMethodIsInvalid() throws Exception {
        String nonce = verifier.nonce();
        assertEquals(INVALID, verifier.verify(answer("wrong horse", nonce, "00000001", "REGISTER"), "REGISTER", HA1).outcome());
        assertEquals(INVALID, verifier.verify(answer(PASSWORD, nonce, "00000001", "REGISTER"), "INVITE", HA1).outcome());
        assertEquals(INVALID, verifier.verify(answer(PASSWORD, nonce, "00000001", "REGISTER"), "REGISTER",
                md5("someone:" + REALM + ":" + PASSWORD)).outcome());
        // refusals use no nonce count: the right answer with nc 1 is still taken
        assertEquals(VALID, verifier.verify(answer(PASSWORD, nonce, "00000001", "REGISTER"), "REGISTER", HA1).outcome());
    }

    @Test
    void aNonceCountUsedBeforeIsAReplay() throws Exception {
        String nonce = verifier.nonce();
        Credentials first = answer(PASSWORD, nonce, "00000001", "REGISTER");
        assertEquals(VALID, verifier.verify(first, "REGISTER", HA1).outcome());
        assertEquals(STALE, verifier.verify(first, "REGISTER", HA1).outcome(), "the same request again");
        assertEquals(VALID, verifier.verify(answer(PASSWORD, nonce, "00000003", "REGISTER"), "REGISTER", HA1).outcome());
        assertEquals(STALE, verifier.verify(answer(PASSWORD, nonce, "00000002", "REGISTER"), "REGISTER", HA1).outcome(),
                "a count below the highest used");
        assertEquals(VALID, verifier.verify(answer(PASSWORD, verifier.nonce(), "00000001", "REGISTER"), "REGISTER", HA1)
                .outcome(), "another nonce counts on its own");
    }

    @Test
    void aNonceOlderThanFiveMinutesIsStaleOnlyWithTheRightPassword() throws Exception {
        String nonce = verifier.nonce();
        clock.advance(Duration.ofMinutes(4).plusSeconds(59));
        assertEquals(VALID, verifier.verify(answer(PASSWORD, nonce, "00000001", "REGISTER"), "REGISTER", HA1).outcome());
        clock.advance(Duration.ofSeconds(1));
        DigestVerifier.Verdict old = verifier.verify(answer(PASSWORD, nonce, "00000002", "REGISTER"), "REGISTER", HA1);
        assertEquals(STALE, old.outcome());
        assertEquals("an old nonce", old.reason());
        assertEquals(INVALID, verifier.verify(answer("wrong horse", nonce, "00000003", "REGISTER"), "REGISTER", HA1).outcome(),
                "stale=true would let a wrong password be tried again unnoticed");
    }

    @RepeatedTest(50) // each nonce is random: its last character differs from run to run
    void aNonceAlteredOrOfAnotherVerifierIsNotOurs() throws Exception {
        String nonce = verifier.nonce();
        char last = nonce.charAt(nonce.length() - 1);
        String altered = nonce.substring(0, nonce.length() - 1) + (last == 'A' ? 'B' : 'A');
        // the same bytes spelt otherwise: base64 ignores the unused low bits of the last character
        String respelt = nonce.substring(0, nonce.length() - 1) + (char) (last + 1); // A→B, c→d, 0→1: low bits 00→01
        String older = nonce.substring(0, 5) + (nonce.charAt(5) == 'A' ? 'B' : 'A') + nonce.substring(6);
        for (String n : new String[] {altered, respelt, older, new DigestVerifier(REALM, clock).nonce(), "n0nce", "", "!!!",
                nonce + "AAAA"}) {
            DigestVerifier.Verdict v = verifier.verify(answer(PASSWORD, n, "00000001", "REGISTER"), "REGISTER", HA1);
            assertEquals(INVALID, v.outcome(), n);
        }
        // another realm's verifier with the same key would not take ours either
        byte[] key = new byte[32];
        assertEquals(INVALID, new DigestVerifier("other.example", clock, key).verify(
                answer(PASSWORD, new DigestVerifier(REALM, clock, key).nonce(), "00000001", "REGISTER"), "REGISTER", HA1).outcome());
    }

    @Test
    void whatCannotBeCheckedIsInvalid() throws Exception {
        Credentials good = answer(PASSWORD, verifier.nonce(), "00000001", "REGISTER");
        String[][] faults = {{"scheme", "Basic"}, {"scheme", null}, {"username", null}, {"username", ""},
                {"realm", "other.example"}, {"realm", null}, {"algorithm", "SHA-256"}, {"algorithm", "MD5-sess"},
                {"qop", null}, {"qop", "auth-int"}, {"nc", null}, {"nc", "1"}, {"nc", "zzzzzzzz"}, {"nc", "000000001"},
                {"cnonce", null}, {"cnonce", ""}, {"nonce", null}, {"uri", null}, {"response", null},
                {"response", "xyz"}, {"response", good.response() + "0"}};
        for (String[] f : faults) {
            assertEquals(INVALID, verifier.verify(with(good, f[0], f[1]), "REGISTER", HA1).outcome(), f[0] + "=" + f[1]);
        }
        assertEquals(VALID, verifier.verify(with(good, "algorithm", null), "REGISTER", HA1).outcome(), "MD5 is the default");
    }

    @Test
    void countsOfNoncesTooOldToBeTakenAreForgotten() throws Exception {
        for (int i = 0; i < 10; i++) verifier.verify(answer(PASSWORD, verifier.nonce(), "00000001", "REGISTER"), "REGISTER", HA1);
        assertEquals(10, verifier.remembered());
        clock.advance(DigestVerifier.NONCE_LIFETIME);
        String fresh = verifier.nonce();
        for (int i = 1; i <= 300; i++) {
            verifier.verify(answer(PASSWORD, fresh, String.format("%08x", i), "REGISTER"), "REGISTER", HA1);
        }
        assertEquals(1, verifier.remembered());
        assertFalse(verifier.verify(answer(PASSWORD, fresh, "00000001", "REGISTER"), "REGISTER", HA1).valid());
    }
}
