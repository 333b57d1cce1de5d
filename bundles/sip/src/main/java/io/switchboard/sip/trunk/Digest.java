package io.switchboard.sip.trunk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * HTTP digest (RFC 2617 as RFC 3261 uses it), MD5 only: the {@code response} that proves the password
 * without sending it. With {@code qop=auth} the client's nonce and the count of requests made with the
 * server's nonce go in too, so the server can refuse a replay; without qop it is RFC 2069's form.
 */
final class Digest {
    private Digest() {}

    /**
     * The {@code response} value for {@code method uri}; {@code qop} is {@code "auth"} or null (then
     * {@code nc} and {@code cnonce} are not used).
     */
    static String response(String username, String realm, String password, String method, String uri, String nonce,
                           String nc, String cnonce, String qop) {
        String ha1 = md5(username + ":" + realm + ":" + password);
        String ha2 = md5(method + ":" + uri);
        if (qop == null) return md5(ha1 + ":" + nonce + ":" + ha2);
        return md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    /** The nonce count as it is sent: eight lower-case hex digits. */
    static String nc(int count) {
        return String.format("%08x", count);
    }

    static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is unavailable", e);
        }
    }
}
