package io.switchboard.sip.b2bua;

import io.switchboard.sdk.calls.CallBridge.BridgedCall;
import io.switchboard.sdk.calls.CallBridge.Listener;
import io.switchboard.sdk.calls.CallFork;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sip.device.Binding;
import io.switchboard.sip.device.DeviceRegistry;
import io.switchboard.sip.device.SipDeviceService;
import io.switchboard.sip.stack.RequestHandler;
import io.switchboard.sip.stack.SipRuntime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.RequestEvent;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rings the SIP phones an account registered (see {@link DeviceRegistry}) along with its other devices: a
 * {@link CallFork}. Each call invites every live binding of the callee at once, each at the address its
 * REGISTER came from (see {@link PhoneCall}); a BYE from the phone that answered ends the call. Stopping
 * hangs up every live call (BYE or CANCEL), waits a little for the answers, then lets go of the stack.
 */
@Component(service = CallFork.class)
public class PhoneFork implements CallFork, RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PhoneFork.class);
    /** How long stopping waits for the answers to its BYEs and CANCELs. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);
    /**
     * Calls started at once: sending to a TCP phone whose connection is gone connects again and blocks
     * until that fails, which must not hold up every other call.
     */
    private static final int STARTERS = 4;

    final SipRuntime sip;
    final String domain;
    private final DeviceRegistry devices;
    /** Reads the bindings and sends the INVITEs, off the caller's thread. */
    private final ExecutorService executor;
    private final CallTable<PhoneCall> calls = new CallTable<>();
    /** BYEs and CANCELs sent and not yet answered. */
    final AtomicInteger pending = new AtomicInteger();

    @Activate
    public PhoneFork(@Reference SipRuntime sip, @Reference DeviceRegistry devices, BundleContext context) {
        this(sip, devices, SipDeviceService.domain(context));
    }

    PhoneFork(SipRuntime sip, DeviceRegistry devices, String domain) {
        this.sip = sip;
        this.devices = devices;
        this.domain = domain;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(STARTERS, STARTERS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), DaemonThreads.named("switchboard-sip-phones"));
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
        sip.addRequestHandler(this);
    }

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
        for (PhoneCall call : calls.all()) call.hangup();
        InviteLeg.awaitPending(pending, STOP_WAIT);
        sip.removeRequestHandler(this);
    }

    @Override
    public boolean reaches(String accountId) {
        return !devices.bindings(accountId).isEmpty();
    }

    @Override
    public void ring(BridgedCall call, Listener listener) {
        PhoneCall phones = new PhoneCall(this, call, listener);
        if (!calls.add(call.callId(), phones)) {
            listener.failed("failed", "call " + call.callId() + " rings the phones already");
            return;
        }
        try {
            executor.execute(() -> start(phones));
        } catch (RejectedExecutionException stopped) {
            calls.forget(call.callId(), phones);
            listener.failed("failed", "the SIP phones are stopping");
        }
    }

    private void start(PhoneCall phones) {
        List<Binding> bindings;
        try {
            bindings = devices.bindings(phones.call.calleeAccountId());
        } catch (RuntimeException e) {
            LOG.warn("Call {}: no SIP phones of {}: {}", phones.call.callId(), phones.call.calleeAccountId(), e.toString());
            bindings = List.of();
        }
        phones.start(bindings);
    }

    @Override
    public void hangup(String callId) {
        PhoneCall call = calls.get(callId);
        if (call != null) call.hangup();
    }

    /** Claims BYE, ACK and CANCEL in the dialogs of answered phones. */
    @Override
    public boolean handle(RequestEvent event) {
        PhoneCall call = calls.inDialog(event);
        if (call != null) call.request(event);
        return call != null;
    }

    void answered(String dialogCallId, PhoneCall call) {
        calls.answered(dialogCallId, call);
    }

    void forget(PhoneCall call) {
        calls.forget(call.call.callId(), call);
    }

    static Logger log() {
        return LOG;
    }

    /** Live calls (tests). */
    int live() {
        return calls.size();
    }
}
