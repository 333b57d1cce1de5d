package io.switchboard.sip.trunk;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Response;

/**
 * One challenge of a 401's WWW-Authenticate or a 407's Proxy-Authenticate ({@code proxy}), as far as it
 * matters to answer it. {@code qop} is what the challenge offers, null when it offers none.
 */
record DigestChallenge(boolean proxy, String scheme, String realm, String nonce, String opaque, String algorithm,
                       String qop, boolean stale) {

    /** Every challenge of a 401 or 407, in their order. */
    static List<DigestChallenge> of(Response response) {
        boolean proxy = response.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED;
        List<DigestChallenge> out = new ArrayList<>();
        ListIterator<?> headers = response.getHeaders(proxy ? ProxyAuthenticateHeader.NAME : WWWAuthenticateHeader.NAME);
        while (headers.hasNext()) {
            WWWAuthenticateHeader h = (WWWAuthenticateHeader) headers.next();
            out.add(new DigestChallenge(proxy, h.getScheme(), h.getRealm(), h.getNonce(), h.getOpaque(), h.getAlgorithm(),
                    h.getQop(), h.isStale()));
        }
        return out;
    }

    /** True when the challenge offers {@code qop=auth} (among others, perhaps). */
    boolean offersAuth() {
        if (qop == null) return false;
        for (String option : qop.split(",")) {
            if (option.strip().equalsIgnoreCase("auth")) return true;
        }
        return false;
    }

    /** Why it cannot be answered (MD5 digest, with qop=auth or without qop, and a realm and nonce), or null. */
    String unsupported() {
        if (scheme == null || !scheme.equalsIgnoreCase("Digest")) return "scheme " + scheme;
        if (algorithm != null && !algorithm.equalsIgnoreCase("MD5")) return "algorithm " + algorithm;
        if (qop != null && !offersAuth()) return "qop " + qop;
        if (realm == null || nonce == null) return "a challenge without realm or nonce";
        return null;
    }

    @Override
    public String toString() {
        return (proxy ? "407 " : "401 ") + scheme + " realm=\"" + realm + "\"" + (stale ? " stale" : "")
                + (qop == null ? "" : " qop=" + qop.toLowerCase(Locale.ROOT));
    }
}
