package io.switchboard.accounts.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);

    @Test
    void verifiesTheRightPasswordOnly() {
        String stored = hasher.hash("correct horse battery".toCharArray());
        assertTrue(hasher.verify("correct horse battery".toCharArray(), stored));
        assertFalse(hasher.verify("correct horse batterY".toCharArray(), stored));
        assertFalse(hasher.verify(new char[0], stored));
    }

    @Test
    void storesAlgorithmIterationsAndSalt() {
        String[] parts = hasher.hash("secret-password".toCharArray()).split("\\$");
        assertEquals(4, parts.length);
        assertEquals("pbkdf2_sha256", parts[0]);
        assertEquals("210000", parts[1]);
        assertEquals(16, java.util.Base64.getDecoder().decode(parts[2]).length);
        assertEquals(32, java.util.Base64.getDecoder().decode(parts[3]).length);
    }

    @Test
    void sameCaseGetsDifferentSalts() {
        String a = hasher.hash("same password".toCharArray());
        String b = hasher.hash("same password".toCharArray());
        assertNotEquals(a, b);
        assertNotEquals(a.split("\\$")[2], b.split("\\$")[2]);
        assertTrue(hasher.verify("same password".toCharArray(), b));
    }

    @Test
    void oldIterationCountsStillVerifyAndAskForRehash() {
        PasswordHasher weak = new PasswordHasher(1_000);
        String old = weak.hash("password123".toCharArray());
        assertTrue(hasher.verify("password123".toCharArray(), old));
        assertTrue(hasher.needsRehash(old));
        assertFalse(hasher.needsRehash(hasher.hash("password123".toCharArray())));
    }

    @Test
    void garbageHashesNeverVerify() {
        assertFalse(hasher.verify("x".toCharArray(), "plain"));
        assertFalse(hasher.verify("x".toCharArray(), "pbkdf2_sha256$abc$$"));
        assertFalse(hasher.verifyAgainstDummy("anything".toCharArray()));
    }

    @Test
    void theStandInForUnknownHandlesCostsAFullDerivationAndMatchesNothing() {
        PasswordHasher a = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);
        PasswordHasher b = new PasswordHasher(PasswordHasher.MIN_ITERATIONS);
        String[] parts = a.dummyHash().split("\\$");
        assertEquals("pbkdf2_sha256", parts[0]);
        assertEquals("210000", parts[1], "verified with the configured work factor");
        assertEquals(32, java.util.Base64.getDecoder().decode(parts[3]).length);
        assertFalse(a.needsRehash(a.dummyHash()));
        assertNotEquals(a.dummyHash(), b.dummyHash(), "random per process, nothing to precompute");
        assertFalse(a.verify("".toCharArray(), a.dummyHash()));
    }
}
