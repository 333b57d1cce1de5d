package io.switchboard.sip.b2bua;

import io.switchboard.sip.trunk.Digest;
import io.switchboard.sip.trunk.Trunk;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.InvalidArgumentException;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Response;

/**
 * The Authorization (401) or Proxy-Authorization (407) that answers a trunk's digest challenge to an
 * INVITE: MD5, with {@code qop=auth} when the challenge offers it (RFC 2617 as RFC 3261 uses it); the
 * arithmetic is {@link Digest}'s.
 */
final class DigestAnswer {
    private static final SecureRandom RANDOM = new SecureRandom();

    private DigestAnswer() {}

    /** The header answering the first MD5 digest challenge of {@code challenge}, or null when none can be answered. */
    static AuthorizationHeader of(Response challenge, Trunk trunk, String method, URI uri, HeaderFactory headers)
            throws ParseException, InvalidArgumentException {
        if (trunk.username() == null || trunk.password() == null) return null;
        boolean proxy = challenge.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED;
        ListIterator<?> offered = challenge.getHeaders(proxy ? ProxyAuthenticateHeader.NAME : WWWAuthenticateHeader.NAME);
        while (offered.hasNext()) {
            WWWAuthenticateHeader c = (WWWAuthenticateHeader) offered.next();
            if (c.getScheme() == null || !c.getScheme().equalsIgnoreCase("Digest")) continue;
            if (c.getAlgorithm() != null && !c.getAlgorithm().equalsIgnoreCase("MD5")) continue;
            if (c.getRealm() == null || c.getNonce() == null) continue;
            boolean auth = offersAuth(c.getQop());
            if (c.getQop() != null && !auth) continue;
            AuthorizationHeader h = proxy ? headers.createProxyAuthorizationHeader("Digest")
                    : headers.createAuthorizationHeader("Digest");
            h.setUsername(trunk.username());
            h.setRealm(c.getRealm());
            h.setNonce(c.getNonce());
            h.setURI(uri);
            h.setAlgorithm("MD5");
            if (c.getOpaque() != null) h.setOpaque(c.getOpaque());
            if (auth) {
                String cnonce = Long.toHexString(RANDOM.nextLong());
                String nc = "00000001";
                h.setQop("auth");
                h.setNonceCount(1);
                h.setCNonce(cnonce);
                h.setResponse(Digest.response(trunk.username(), c.getRealm(), trunk.password(), method, uri.toString(),
                        c.getNonce(), nc, cnonce, "auth"));
            } else {
                h.setResponse(Digest.response(trunk.username(), c.getRealm(), trunk.password(), method, uri.toString(),
                        c.getNonce(), null, null, null));
            }
            return h;
        }
        return null;
    }

    private static boolean offersAuth(String qop) {
        if (qop == null) return false;
        for (String option : qop.split(",")) {
            if (option.strip().toLowerCase(Locale.ROOT).equals("auth")) return true;
        }
        return false;
    }
}
