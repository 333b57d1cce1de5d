package io.switchboard.sip.trunk;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * HTTP digest (RFC 2617 as RFC 3261 uses it), MD5 only: the {@code response} that proves the password
 * without sending it. With {@code qop=auth} the client's nonce and the count of requests made with the
 * server's nonce go in too, so the server can refuse a replay; without qop it is RFC 2069's form. The one
 * piece of digest arithmetic in this bundle: trunk registration and the B2BUA answer challenges with it,
 * and the registrar of users' phones checks their answers with it (from the HA1 it keeps).
 */
public final class Digest {
    private Digest() {}

    /**
     * The {@code response} value for {@code method uri}; {@code qop} is {@code "auth"} or null (then
     * {@code nc} and {@code cnonce} are not used).
     */
    public static String response(String username, String realm, String password, String method, String uri,
                                  String nonce, String nc, String cnonce, String qop) {
        return responseOfHa1(ha1(username, realm, password), method, uri, nonce, nc, cnonce, qop);
    }

    /** The same from HA1, for a server that keeps HA1 rather than the password. */
    public static String responseOfHa1(String ha1, String method, String uri, String nonce, String nc, String cnonce,
                                       String qop) {
        String ha2 = md5(method + ":" + uri);
        if (qop == null) return md5(ha1 + ":" + nonce + ":" + ha2);
        return md5(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2);
    }

    /** RFC 2617's HA1: MD5 of {@code username:realm:password}, lower-case hex. */
    public static String ha1(String username, String realm, String password) {
        return md5(username + ":" + realm + ":" + password);
    }

    /** The nonce count as it is sent: eight lower-case hex digits. */
    public static String nc(int count) {
        return String.format("%08x", count);
    }

    /** MD5 of the UTF-8 bytes, lower-case hex. */
    public static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is unavailable", e);
        }
    }
}
