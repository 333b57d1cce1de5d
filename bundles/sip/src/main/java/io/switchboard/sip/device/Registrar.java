package io.switchboard.sip.device;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.SIPTransaction;
import io.switchboard.sip.stack.RequestHandler;
import io.switchboard.sip.stack.SipRuntime;
import java.math.BigInteger;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar of users' SIP phones (RFC 3261 section 10.3): takes the REGISTERs for our domain (the
 * request-URI's host or the To's), asks for digest credentials (401), and keeps each phone's contacts in
 * {@link BindingStore}. A phone registers its own address-of-record, {@code sip:<username>@<domain>}; an
 * expiry under {@link #MIN_EXPIRES} is refused with 423, one over {@link #MAX_EXPIRES} is cut to it, 0
 * removes the contact, {@code Contact: *} with {@code Expires: 0} removes them all, and a REGISTER without
 * Contact only asks what is bound. Every 200 lists the phone's contacts with the seconds each has left.
 */
final class Registrar implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);
    static final int MIN_EXPIRES = 60;
    static final int MAX_EXPIRES = 3600;
    /** When neither the contact nor the request says. */
    static final int DEFAULT_EXPIRES = 3600;
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,64}");
    private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

    private final SipRuntime sip;
    private final DeviceAuthenticator authenticator;
    private final BindingStore bindings;
    private final String domain;
    private final Clock clock;

    /** Contacts asked for (URI → seconds, 0 to remove), or all removed, or the response that refuses them. */
    private record Asked(Map<String, Integer> contacts, boolean removeAll, Response refusal) {}

    Registrar(SipRuntime sip, DeviceAuthenticator authenticator, BindingStore bindings, String domain, Clock clock) {
        this.sip = sip;
        this.authenticator = authenticator;
        this.bindings = bindings;
        this.domain = domain;
        this.clock = clock;
    }

    @Override
    public boolean handle(RequestEvent event) {
        Request request = event.getRequest();
        if (!Request.REGISTER.equals(request.getMethod()) || !forUs(request)) return false;
        ServerTransaction transaction;
        try {
            transaction = ServerAnswers.transaction(event, sip.provider());
        } catch (SipException e) {
            LOG.debug("No transaction for a REGISTER: {}", e.toString());
            return true;
        }
        if (transaction == null) return true; // a retransmission its original's transaction answers
        Response response;
        try {
            response = answer(request, transaction);
        } catch (ParseException | InvalidArgumentException e) {
            response = plain(request, Response.BAD_REQUEST);
        } catch (RuntimeException e) {
            LOG.warn("A REGISTER could not be handled: {}", e.toString(), e);
            response = plain(request, Response.SERVER_INTERNAL_ERROR);
        }
        if (response != null) ServerAnswers.send(transaction, response);
        return true;
    }

    private boolean forUs(Request request) {
        return hostIsOurs(request.getRequestURI())
                || request.getHeader(ToHeader.NAME) instanceof ToHeader to && hostIsOurs(to.getAddress().getURI());
    }

    private boolean hostIsOurs(URI uri) {
        return uri instanceof SipURI s && s.getHost() != null && s.getHost().equalsIgnoreCase(domain);
    }

    private Response answer(Request request, ServerTransaction transaction) throws ParseException, InvalidArgumentException {
        if (unparsed(request, "contact", "m", "expires")) {
            return refusal(request, Response.BAD_REQUEST, "Malformed Contact or Expires");
        }
        DeviceAuthenticator.Check check = authenticator.check(request);
        if (check.device() == null) {
            LOG.debug("REGISTER for {} challenged: {}", request.getHeader(ToHeader.NAME), check.reason());
            return authenticator.challenge(request, check.stale());
        }
        SipDevice device = check.device();
        URI aor = ((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI();
        if (!(aor instanceof SipURI s) || !device.username().equals(s.getUser()) || !domain.equalsIgnoreCase(s.getHost())) {
            LOG.debug("SIP phone {} may not register {}", device.username(), aor);
            return refusal(request, Response.FORBIDDEN, "Not Your Address-of-Record");
        }
        Asked asked = asked(request);
        if (asked.refusal() != null) return asked.refusal();
        if (asked.contacts().size() > BindingStore.MAX_PER_DEVICE) {
            return refusal(request, Response.FORBIDDEN, "Too Many Contacts");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (asked.contacts().isEmpty() && !asked.removeAll()) return ok(request, bindings.ofDevice(device.id(), now), now);

        SIPMessage message = (SIPMessage) request;
        BindingStore.Update update = new BindingStore.Update(
                ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId(),
                ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber(),
                message.getPeerPacketSourceAddress().getHostAddress(), message.getPeerPacketSourcePort(),
                ((SIPTransaction) transaction).getTransport().toUpperCase(Locale.ROOT), asked.removeAll(), asked.contacts());
        BindingStore.Outcome outcome = bindings.apply(device, update, now);
        if (outcome.refusal() != null) {
            LOG.debug("REGISTER of SIP phone {} refused: {}", device.username(), outcome.refusal());
            return switch (outcome.refusal()) {
                case OUT_OF_ORDER -> refusal(request, Response.BAD_REQUEST, "CSeq Out of Order");
                case TOO_MANY -> refusal(request, Response.FORBIDDEN, "Too Many Contacts");
                case NO_DEVICE -> authenticator.challenge(request, false);
            };
        }
        LOG.debug("SIP phone {} registered from {}:{}/{}: {} contact(s)", device.username(), update.sourceAddress(),
                update.sourcePort(), update.transport(), outcome.bindings().size());
        return ok(request, outcome.bindings(), now);
    }

    /** The Contact headers and their expiries, checked; 400 or 423 (with Min-Expires) when they cannot be. */
    private Asked asked(Request request) throws ParseException, InvalidArgumentException {
        ExpiresHeader expires = (ExpiresHeader) request.getHeader(ExpiresHeader.NAME);
        int all = expires == null ? -1 : expires.getExpires();
        List<ContactHeader> contacts = new ArrayList<>();
        for (ListIterator<?> i = request.getHeaders(ContactHeader.NAME); i.hasNext(); ) contacts.add((ContactHeader) i.next());
        if (contacts.stream().anyMatch(ContactHeader::isWildCard)) {
            if (contacts.size() != 1 || all != 0) {
                return new Asked(Map.of(), false, refusal(request, Response.BAD_REQUEST, "Contact * Goes Alone With Expires 0"));
            }
            return new Asked(Map.of(), true, null);
        }
        Map<String, Integer> asked = new LinkedHashMap<>();
        boolean tooBrief = false;
        for (ContactHeader c : contacts) {
            if (!(c.getAddress().getURI() instanceof SipURI uri)) {
                return new Asked(Map.of(), false, refusal(request, Response.BAD_REQUEST, "Contact Is No SIP URI"));
            }
            String param = c.getParameter("expires");
            if (param != null && !DIGITS.matcher(param).matches()) {
                return new Asked(Map.of(), false, refusal(request, Response.BAD_REQUEST, "Malformed Contact Expires"));
            }
            // RFC 3261 20.19: more than 2^32-1 counts as 2^32-1, and that is capped anyway
            int seconds = param != null ? new BigInteger(param).min(INT_MAX).intValue() : all >= 0 ? all : DEFAULT_EXPIRES;
            if (seconds > 0 && seconds < MIN_EXPIRES) tooBrief = true;
            asked.put(uri.toString(), Math.min(seconds, MAX_EXPIRES));
        }
        if (tooBrief) {
            Response r = refusal(request, Response.INTERVAL_TOO_BRIEF, null);
            r.addHeader(sip.headerFactory().createMinExpiresHeader(MIN_EXPIRES));
            return new Asked(Map.of(), false, r);
        }
        return new Asked(asked, false, null);
    }

    private Response ok(Request request, List<Binding> current, Instant now) throws ParseException, InvalidArgumentException {
        Response response = ServerAnswers.create(sip.messageFactory(), Response.OK, request);
        AddressFactory addresses = sip.addressFactory();
        for (Binding b : current) {
            ContactHeader contact = sip.headerFactory().createContactHeader(addresses.createAddress(addresses.createURI(b.contact())));
            contact.setExpires((int) Math.max(1, Duration.between(now, b.expiresAt()).toSeconds()));
            response.addHeader(contact);
        }
        return response;
    }

    /** A refusal with a reason phrase of its own, when {@code reason} is not null. */
    private Response refusal(Request request, int status, String reason) throws ParseException {
        Response r = ServerAnswers.create(sip.messageFactory(), status, request);
        if (reason != null) r.setReasonPhrase(reason);
        return r;
    }

    /** The response with its standard reason phrase, or null when not even that can be made. */
    private Response plain(Request request, int status) {
        try {
            return refusal(request, status, null);
        } catch (ParseException e) {
            return null;
        }
    }

    /** True when a header of one of these names (lower case; compact forms too) did not parse. */
    private static boolean unparsed(Request request, String... names) {
        for (ListIterator<String> i = ((SIPMessage) request).getUnrecognizedHeaders(); i.hasNext(); ) {
            String header = i.next();
            int colon = header.indexOf(':');
            if (colon < 0) continue;
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            for (String n : names) {
                if (n.equals(name)) return true;
            }
        }
        return false;
    }
}
