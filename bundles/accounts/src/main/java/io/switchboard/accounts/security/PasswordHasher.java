package io.switchboard.accounts.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA256 password hashes with a random 16-byte salt per account. The stored form names the
 * algorithm and the iteration count, {@code pbkdf2_sha256$<iterations>$<salt>$<hash>} (base64), so
 * the count can be raised later: old hashes still verify and {@link #needsRehash} says when to
 * replace one at the next successful login.
 */
public final class PasswordHasher {
    public static final String ALGORITHM = "pbkdf2_sha256";
    /** OWASP's figure for PBKDF2-HMAC-SHA256 (2023); the configuration may only raise it. */
    public static final int MIN_ITERATIONS = 210_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;

    private final int iterations;
    private final SecureRandom random;
    /**
     * Verified against when a handle is unknown, so that answer takes as long as a wrong password. Its
     * salt and hash are random bytes rather than a derived key: verifying costs the same full PBKDF2
     * run, nothing can match it, and building it costs no key derivation at start-up.
     */
    private final String dummyHash;

    public PasswordHasher(int iterations) {
        this(iterations, new SecureRandom());
    }

    PasswordHasher(int iterations, SecureRandom random) {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be positive");
        this.iterations = iterations;
        this.random = random;
        byte[] dummy = new byte[HASH_BITS / 8];
        random.nextBytes(dummy);
        this.dummyHash = format(iterations, newSalt(), dummy);
    }

    public int iterations() { return iterations; }

    /** The stand-in hash unknown handles are verified against (for tests). */
    String dummyHash() { return dummyHash; }

    public String hash(char[] password) {
        byte[] salt = newSalt();
        return format(iterations, salt, derive(password, salt, iterations));
    }

    private byte[] newSalt() {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return salt;
    }

    private static String format(int iterations, byte[] salt, byte[] hash) {
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return ALGORITHM + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
    }

    /** True when the password matches the stored hash; false for a wrong password or an unreadable hash. */
    public boolean verify(char[] password, String stored) {
        Parsed parsed = Parsed.of(stored);
        if (parsed == null) {
            verify(password, dummyHash);
            return false;
        }
        byte[] actual = derive(password, parsed.salt, parsed.iterations);
        return MessageDigest.isEqual(actual, parsed.hash);
    }

    /** Spends the same work as {@link #verify} and fails: for unknown handles and accounts without a password. */
    public boolean verifyAgainstDummy(char[] password) {
        verify(password, dummyHash);
        return false;
    }

    /** True when a stored hash was made with fewer iterations than now configured (or another algorithm). */
    public boolean needsRehash(String stored) {
        Parsed parsed = Parsed.of(stored);
        return parsed == null || parsed.iterations < iterations;
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
        static Parsed of(String stored) {
            if (stored == null) return null;
            String[] parts = stored.split("\\$");
            if (parts.length != 4 || !ALGORITHM.equals(parts[0])) return null;
            try {
                int iterations = Integer.parseInt(parts[1]);
                Base64.Decoder b64 = Base64.getDecoder();
                byte[] salt = b64.decode(parts[2]);
                byte[] hash = b64.decode(parts[3]);
                if (iterations < 1 || salt.length == 0 || hash.length == 0) return null;
                return new Parsed(iterations, salt, hash);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        @Override public String toString() { return "Parsed[" + iterations + "]"; }
    }
}
