package io.switchboard.sip.trunk;

import io.switchboard.sip.stack.ClientCallback;
import io.switchboard.sip.stack.SipRuntime;
import io.switchboard.sip.trunk.RegisterRules.Credentials;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a register trunk registered at its PBX: REGISTER {@code sip:username@host} at {@code host:port},
 * Contact our listening point, refreshed before the granted time runs out (see {@link RegisterRules}).
 * One Call-ID and From tag for all REGISTERs of the trunk, the CSeq one up each time, as RFC 3261 asks of a
 * UA refreshing its binding.
 *
 * <p>Digest challenges (401 and 407) are answered with the password, and the last one is reused, its nonce
 * count one up, for the refreshes that follow, which saves the PBX a challenge each time; a PBX that has
 * forgotten the nonce challenges again. A failure (no answer, a refusal, a wrong password) makes the trunk
 * {@code failed}, with the reason in words, and the next attempt waits twice as long as the last, up to a
 * limit. Stopping un-REGISTERs (Expires 0) and then says nothing more.
 *
 * <p>Every step runs under this object's lock, on the supervisor's timer threads: the stack's threads only
 * hand responses over, and a response to anything but the REGISTER last sent is dropped.
 */
final class Registration implements TrunkLink {
    private static final Logger LOG = LoggerFactory.getLogger(Registration.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Trunk trunk;
    private final SipRuntime sip;
    private final ScheduledExecutorService timer;
    private final TrunkTimings timings;
    private final Report report;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private String callId;
    private final String fromTag = Long.toHexString(RANDOM.nextLong());
    private long cseq;
    private int expires;
    private Attempt current;
    private DigestChallenge challenge;
    private boolean challengeFresh;
    private int nonceCount;
    private int staleInRow;
    private int failures;
    private boolean everRegistered;
    private boolean stopping;
    private ScheduledFuture<?> next;
    private String reported;

    Registration(Trunk trunk, SipRuntime sip, ScheduledExecutorService timer, TrunkTimings timings, Report report) {
        this.trunk = trunk;
        this.sip = sip;
        this.timer = timer;
        this.timings = timings;
        this.report = report;
        this.expires = timings.expires();
    }

    /** One REGISTER sent: what it asked for and what it carried, and so what its answer means. */
    private final class Attempt implements ClientCallback {
        final int expires;
        final Credentials credentials;

        Attempt(int expires, Credentials credentials) {
            this.expires = expires;
            this.credentials = credentials;
        }

        @Override
        public void response(ResponseEvent event) {
            if (event.getResponse().getStatusCode() >= 200) later(() -> answered(this, event.getResponse()));
        }

        @Override
        public void failed(ClientTransaction transaction, Failure failure) {
            later(() -> lost(this, failure == Failure.TIMEOUT ? "no answer from " + TrunkRequests.where(trunk)
                    : "cannot reach " + TrunkRequests.where(trunk) + " (connection failed)"));
        }
    }

    @Override
    public synchronized void start() {
        schedule(Duration.ZERO);
    }

    @Override
    public CompletableFuture<Void> stop() {
        synchronized (this) {
            if (stopping) return stopped;
            stopping = true;
            if (next != null) next.cancel(false);
            if (everRegistered || current != null) {
                // whatever the REGISTER in flight brings, the un-REGISTER after it (CSeq one up) undoes;
                // sent from the timer, as opening a TCP connection may take long and the caller waits
                current = null;
                if (!later(this::unregister)) stopped.complete(null);
            } else {
                stopped.complete(null);
            }
        }
        return stopped;
    }

    private synchronized void unregister() {
        send(0);
    }

    private void schedule(Duration delay) {
        try {
            next = timer.schedule(this::register, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the supervisor is stopping
        }
    }

    /** Runs {@code step} on the timer; false once the supervisor stopped (nobody waits for it any more). */
    private boolean later(Runnable step) {
        try {
            timer.execute(step);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private synchronized void register() {
        if (!stopping) send(expires);
    }

    /** Sends a REGISTER (an un-REGISTER when {@code seconds} is 0), answering the last challenge when there is one. */
    private void send(int seconds) {
        Credentials credentials = challenge == null ? Credentials.NONE : challengeFresh ? Credentials.FRESH : Credentials.REUSED;
        Attempt attempt = new Attempt(seconds, credentials);
        current = attempt;
        try {
            Request request = request(seconds);
            if (challenge != null) authorize(request);
            challengeFresh = false;
            sip.send(request, attempt, timings.t1());
        } catch (SipException e) {
            ended(attempt, "cannot reach " + TrunkRequests.where(trunk) + " (" + brief(e) + ")");
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            ended(attempt, "cannot build a REGISTER for " + TrunkRequests.where(trunk) + " (" + brief(e) + ")");
        }
    }

    private Request request(int seconds) throws ParseException, InvalidArgumentException {
        HeaderFactory headers = sip.headerFactory();
        if (callId == null) callId = sip.provider().getNewCallId().getCallId();
        Address aor = TrunkRequests.addressOfRecord(sip.addressFactory(), trunk.username(), trunk.host());
        Request request = TrunkRequests.create(sip, trunk, Request.REGISTER, TrunkRequests.target(sip, trunk), aor, fromTag,
                aor, callId, ++cseq);
        request.addHeader(headers.createContactHeader(sip.addressFactory().createAddress(contact())));
        request.addHeader(headers.createExpiresHeader(seconds));
        return request;
    }

    private SipURI contact() throws ParseException {
        return TrunkRequests.contact(sip, trunk, trunk.username());
    }

    /** Adds the answer to the last challenge; the password goes into the digest and nowhere else. */
    private void authorize(Request request) throws ParseException {
        HeaderFactory headers = sip.headerFactory();
        AuthorizationHeader h = challenge.proxy() ? headers.createProxyAuthorizationHeader("Digest")
                : headers.createAuthorizationHeader("Digest");
        String uri = request.getRequestURI().toString();
        String qop = challenge.offersAuth() ? "auth" : null;
        String nc = Digest.nc(++nonceCount);
        String cnonce = HexFormat.of().formatHex(randomBytes());
        h.setUsername(trunk.username());
        h.setRealm(challenge.realm());
        h.setNonce(challenge.nonce());
        h.setURI(request.getRequestURI());
        h.setResponse(Digest.response(trunk.username(), challenge.realm(), trunk.password(), Request.REGISTER, uri,
                challenge.nonce(), nc, cnonce, qop));
        if (challenge.algorithm() != null) h.setAlgorithm(challenge.algorithm());
        if (challenge.opaque() != null) h.setOpaque(challenge.opaque());
        if (qop != null) {
            h.setQop(qop);
            h.setCNonce(cnonce);
            h.setNonceCount(nonceCount);
        }
        request.setHeader(h);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private synchronized void answered(Attempt attempt, Response response) {
        if (attempt != current) return;
        current = null;
        int code = response.getStatusCode();
        if (code == Response.UNAUTHORIZED || code == Response.PROXY_AUTHENTICATION_REQUIRED) {
            String refused = challenged(attempt, response);
            if (refused == null) send(attempt.expires);
            else ended(attempt, refused);
        } else if (attempt.expires == 0) {
            unregistered(code < 300 ? null : "the PBX answered " + status(response));
        } else if (code >= 200 && code < 300) {
            registered(attempt, response);
        } else if (code == Response.INTERVAL_TOO_BRIEF) {
            MinExpiresHeader min = (MinExpiresHeader) response.getHeader(MinExpiresHeader.NAME);
            OptionalInt longer = RegisterRules.afterIntervalTooBrief(min == null ? null : min.getExpires(), attempt.expires);
            if (longer.isPresent()) {
                LOG.info("{}: the PBX wants at least {} s between refreshes", trunk, longer.getAsInt());
                expires = longer.getAsInt();
                send(expires);
            } else {
                ended(attempt, "the PBX answered " + status(response) + (min == null ? " without Min-Expires"
                        : " with Min-Expires " + min.getExpires()));
            }
        } else {
            ended(attempt, "the PBX answered " + status(response));
        }
    }

    /** Takes the challenge to answer and returns null, or why it is not answered. */
    private String challenged(Attempt attempt, Response response) {
        DigestChallenge chosen;
        try {
            chosen = RegisterRules.choose(DigestChallenge.of(response), trunk.realm());
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        return switch (RegisterRules.onChallenge(chosen.stale(), attempt.credentials, staleInRow)) {
            case ANSWER -> {
                staleInRow = chosen.stale() ? staleInRow + 1 : 0;
                challenge = chosen;
                challengeFresh = true;
                nonceCount = 0;
                yield null;
            }
            case REFUSED -> "authentication failed: the PBX refused username \"" + trunk.username()
                    + "\" with the trunk's password (realm \"" + chosen.realm() + "\")";
            case STALE_LOOP -> "authentication failed: the PBX called " + RegisterRules.MAX_STALE_IN_ROW
                    + " answers in a row stale";
        };
    }

    private void registered(Attempt attempt, Response ok) {
        int granted;
        try {
            granted = RegisterRules.granted(ok, contact(), attempt.expires);
        } catch (ParseException e) {
            granted = attempt.expires;
        }
        if (granted <= 0) {
            ended(attempt, "the PBX answered 200 but kept no binding for our contact");
            return;
        }
        everRegistered = true;
        failures = 0;
        staleInRow = 0;
        Duration refresh = RegisterRules.refreshAfter(granted);
        if (changed(TrunkStatus.REGISTERED, null)) {
            LOG.info("{} registered for {} s (refresh in {} s)", trunk, granted, refresh.toSeconds());
        } else {
            LOG.debug("{} refreshed for {} s", trunk, granted);
        }
        schedule(refresh);
    }

    private synchronized void lost(Attempt attempt, String problem) {
        if (attempt == current) ended(attempt, problem);
    }

    /** An attempt ended without success: the un-REGISTER is over, or the registration failed and waits. */
    private void ended(Attempt attempt, String problem) {
        current = null;
        if (attempt.expires == 0) {
            unregistered(problem);
            return;
        }
        failures++;
        challenge = null;
        Duration wait = RegisterRules.backoff(failures, timings.retryFirst(), timings.retryMax());
        if (changed(TrunkStatus.FAILED, problem)) {
            LOG.warn("{} failed: {}; trying again in {} s", trunk, problem, wait.toSeconds());
        } else {
            LOG.debug("{} failed again: {}; trying again in {} s", trunk, problem, wait.toSeconds());
        }
        schedule(wait);
    }

    private void unregistered(String problem) {
        if (problem == null) LOG.info("{} unregistered", trunk);
        else LOG.info("{} not unregistered: {}", trunk, problem);
        stopped.complete(null);
    }

    /** Reports status and error when either changed and the trunk is not being stopped; true when reported. */
    private boolean changed(String status, String lastError) {
        String now = status + "\n" + lastError;
        if (stopping || now.equals(reported)) return false;
        reported = now;
        report.status(status, lastError);
        return true;
    }

    private static String status(Response r) {
        return r.getStatusCode() + (r.getReasonPhrase() == null ? "" : " " + r.getReasonPhrase());
    }

    private static String brief(Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) cause = cause.getCause();
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
