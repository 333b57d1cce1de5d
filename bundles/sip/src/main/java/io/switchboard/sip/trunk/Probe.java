package io.switchboard.sip.trunk;

import io.switchboard.sip.stack.ClientCallback;
import io.switchboard.sip.stack.SipRuntime;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
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
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a peer trunk: an OPTIONS to {@code host:port} every probe interval (counted from the end of the
 * last probe, so probes never overlap). Any final response shows the PBX is there, even a refusal: it is
 * {@code reachable}; a 408, no answer or a transport error make it {@code unreachable}, with the reason.
 */
final class Probe implements TrunkLink {
    private static final Logger LOG = LoggerFactory.getLogger(Probe.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Trunk trunk;
    private final SipRuntime sip;
    private final ScheduledExecutorService timer;
    private final TrunkTimings timings;
    private final Report report;
    private Object current;
    private boolean stopping;
    private ScheduledFuture<?> next;
    private String reported;

    Probe(Trunk trunk, SipRuntime sip, ScheduledExecutorService timer, TrunkTimings timings, Report report) {
        this.trunk = trunk;
        this.sip = sip;
        this.timer = timer;
        this.timings = timings;
        this.report = report;
    }

    @Override
    public synchronized void start() {
        schedule(Duration.ZERO);
    }

    @Override
    public synchronized CompletableFuture<Void> stop() {
        stopping = true;
        current = null;
        if (next != null) next.cancel(false);
        return CompletableFuture.completedFuture(null);
    }

    private void schedule(Duration delay) {
        try {
            next = timer.schedule(this::probe, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the supervisor is stopping
        }
    }

    private synchronized void probe() {
        if (stopping) return;
        ClientCallback attempt = new ClientCallback() {
            @Override
            public void response(ResponseEvent event) {
                Response r = event.getResponse();
                if (r.getStatusCode() < 200) return;
                later(() -> outcome(this, r.getStatusCode() == Response.REQUEST_TIMEOUT
                        ? "no answer from " + TrunkRequests.where(trunk) + " (" + r.getStatusCode() + " " + r.getReasonPhrase() + ")"
                        : null));
            }

            @Override
            public void failed(ClientTransaction transaction, Failure failure) {
                later(() -> outcome(this, failure == Failure.TIMEOUT ? "no answer from " + TrunkRequests.where(trunk)
                        : "cannot reach " + TrunkRequests.where(trunk) + " (connection failed)"));
            }
        };
        current = attempt;
        try {
            sip.send(options(), attempt, timings.t1());
        } catch (SipException e) {
            outcome(attempt, "cannot reach " + TrunkRequests.where(trunk) + " (" + (e.getMessage() == null ? "I/O error" : e.getMessage()) + ")");
        } catch (ParseException | InvalidArgumentException | RuntimeException e) {
            outcome(attempt, "cannot build an OPTIONS for " + TrunkRequests.where(trunk) + " (" + e.getMessage() + ")");
        }
    }

    private Request options() throws ParseException, InvalidArgumentException {
        Address from = TrunkRequests.addressOfRecord(sip.addressFactory(), "switchboard", TrunkRequests.local(sip, trunk).getIPAddress());
        Address to = sip.addressFactory().createAddress(TrunkRequests.target(sip, trunk));
        return TrunkRequests.create(sip, trunk, Request.OPTIONS, TrunkRequests.target(sip, trunk), from,
                Long.toHexString(RANDOM.nextLong()), to, sip.provider().getNewCallId().getCallId(), 1);
    }

    private void later(Runnable step) {
        try {
            timer.execute(step);
        } catch (RejectedExecutionException e) {
            // the supervisor stopped
        }
    }

    /** The probe is over: reachable when {@code problem} is null. The next one follows an interval later. */
    private synchronized void outcome(Object attempt, String problem) {
        if (attempt != current) return;
        current = null;
        String status = problem == null ? TrunkStatus.REACHABLE : TrunkStatus.UNREACHABLE;
        String now = status + "\n" + problem;
        if (!now.equals(reported)) {
            reported = now;
            report.status(status, problem);
            if (problem == null) LOG.info("{} reachable", trunk);
            else LOG.warn("{} unreachable: {}", trunk, problem);
        }
        schedule(timings.probeInterval());
    }
}
