package io.switchboard.sip.device;

import io.switchboard.sip.trunk.Digest;
import java.text.ParseException;
import java.util.ListIterator;
import java.util.Optional;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Tells which SIP phone sent a request, from its Authorization or Proxy-Authorization for our realm
 * checked against the phone's HA1 ({@link DigestVerifier}), and makes the challenge that asks it to say:
 * 401 with WWW-Authenticate for a REGISTER, 407 with Proxy-Authenticate for anything else.
 */
final class DeviceAuthenticator {
    /** Checked against when the username is unknown, so that an unknown one takes as long as a known one. */
    private static final String NOBODY_HA1 = Digest.md5("no such phone");

    private final SipDeviceStore devices;
    private final DigestVerifier verifier;
    private final MessageFactory messages;
    private final HeaderFactory headers;

    /** The phone when the credentials are right; otherwise whether to say stale, and why not (for the log). */
    record Check(SipDevice device, boolean stale, String reason) {
        static Check refused(String reason) {
            return new Check(null, false, reason);
        }
    }

    DeviceAuthenticator(SipDeviceStore devices, DigestVerifier verifier, MessageFactory messages, HeaderFactory headers) {
        this.devices = devices;
        this.verifier = verifier;
        this.messages = messages;
        this.headers = headers;
    }

    Check check(Request request) {
        AuthorizationHeader h = credentials(request);
        if (h == null) return Check.refused("no credentials for realm " + verifier.realm());
        DigestVerifier.Credentials c = new DigestVerifier.Credentials(h.getScheme(), h.getUsername(), h.getRealm(),
                h.getNonce(), h.getParameter("uri"), h.getResponse(), h.getAlgorithm(), h.getQop(), h.getParameter("nc"),
                h.getCNonce());
        Optional<SipDevice> device = c.username() == null ? Optional.empty() : devices.byUsername(c.username());
        DigestVerifier.Verdict verdict = verifier.verify(c, request.getMethod(), device.map(SipDevice::ha1).orElse(NOBODY_HA1));
        if (device.isEmpty()) return Check.refused("unknown username");
        if (!device.get().realm().equals(verifier.realm())) return Check.refused("a phone of realm " + device.get().realm());
        return switch (verdict.outcome()) {
            case VALID -> new Check(device.get(), false, null);
            case STALE -> new Check(null, true, verdict.reason());
            case INVALID -> Check.refused(verdict.reason());
        };
    }

    /** 401 (REGISTER) or 407 (anything else) with a fresh nonce; {@code stale=true} when the last one was just old. */
    Response challenge(Request request, boolean stale) throws ParseException {
        boolean proxy = !Request.REGISTER.equals(request.getMethod());
        Response response = ServerAnswers.create(messages,
                proxy ? Response.PROXY_AUTHENTICATION_REQUIRED : Response.UNAUTHORIZED, request);
        WWWAuthenticateHeader w = proxy ? headers.createProxyAuthenticateHeader("Digest")
                : headers.createWWWAuthenticateHeader("Digest");
        w.setRealm(verifier.realm());
        w.setNonce(verifier.nonce());
        w.setQop("auth");
        w.setAlgorithm("MD5");
        if (stale) w.setStale(true);
        response.addHeader(w);
        return response;
    }

    /** The first Authorization or Proxy-Authorization for our realm, else the first of any realm, else null. */
    private AuthorizationHeader credentials(Request request) {
        AuthorizationHeader first = null;
        for (String name : new String[] {AuthorizationHeader.NAME, ProxyAuthorizationHeader.NAME}) {
            ListIterator<?> i = request.getHeaders(name);
            while (i.hasNext()) {
                AuthorizationHeader h = (AuthorizationHeader) i.next();
                if (verifier.realm().equals(h.getRealm())) return h;
                if (first == null) first = h;
            }
        }
        return first;
    }
}
