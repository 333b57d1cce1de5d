package io.switchboard.sip.device;

import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sip.stack.SipRuntime;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.message.Request;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Users' SIP phones on the SIP stack: runs the {@link Registrar} for our domain (SWITCHBOARD_SIP_DOMAIN,
 * the realm of the phones' credentials) from activation to deactivation, and tells the rest of the
 * bundle where an account's phones are and which phone sent a request.
 *
 * <p>Bindings are kept in PostgreSQL ({@code sip.device_bindings}), so they outlive a restart or an
 * update of the bundle; expired ones are never returned and are swept every minute. Nonces are not kept:
 * after a restart a phone's next request is challenged once more.
 */
@Component(service = DeviceRegistry.class, immediate = true)
public class DeviceRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceRegistry.class);
    private static final Duration SWEEP_INTERVAL = Duration.ofMinutes(1);

    private final SipRuntime sip;
    private final BindingStore bindings;
    private final DeviceAuthenticator authenticator;
    private final Registrar registrar;
    private final Clock clock;
    private final ScheduledExecutorService sweeper;

    @Activate
    public DeviceRegistry(@Reference SipRuntime sip,
                          @Reference(target = "(switchboard.schema=sip)") FeatureDatabase database, BundleContext context) {
        this(sip, database.dataSource(), SipDeviceService.domain(context), Clock.systemUTC());
    }

    DeviceRegistry(SipRuntime sip, DataSource db, String domain, Clock clock) {
        this.sip = sip;
        this.clock = clock;
        this.bindings = new BindingStore(db);
        this.authenticator = new DeviceAuthenticator(new SipDeviceStore(db), new DigestVerifier(domain, clock),
                sip.messageFactory(), sip.headerFactory());
        this.registrar = new Registrar(sip, authenticator, bindings, domain, clock);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-sip-registrar"));
        sweeper.scheduleWithFixedDelay(this::sweep, 0, SWEEP_INTERVAL.toSeconds(), TimeUnit.SECONDS);
        sip.addRequestHandler(registrar);
    }

    @Deactivate
    void deactivate() {
        sip.removeRequestHandler(registrar);
        sweeper.shutdownNow();
    }

    /**
     * Where the phones of {@code accountId} can be reached now: the live bindings of all its phones, the
     * longest-lived first; empty when none is registered. To ring one, send to its
     * {@link Binding#contact()} as the request-URI, over {@link Binding#transport()} to
     * {@link Binding#sourceAddress()}:{@link Binding#sourcePort()} (where its REGISTER came from, which
     * gets through the phone's NAT).
     */
    public List<Binding> bindings(String accountId) {
        return bindings.ofAccount(accountId, clock.instant());
    }

    /**
     * Which phone sent {@code event}'s request (an INVITE from a SIP phone calling someone, say): the phone
     * when the request carries valid digest credentials for our realm in its Proxy-Authorization or
     * Authorization (MD5, {@code qop=auth}, a live nonce of ours, a nonce count not used before).
     * Otherwise the request is answered here with a challenge, 407 with Proxy-Authenticate (401 with
     * WWW-Authenticate for a REGISTER), {@code stale=true} when only the nonce was too old, through the
     * event's server transaction or a new one, and the result is empty: the caller answers nothing more.
     * When the phone is returned, nothing has been answered and no server transaction made for it. ACK and
     * CANCEL cannot be challenged (RFC 3261 22.1): they are never answered here, and come back empty
     * unless they carry valid credentials.
     */
    public Optional<SipDevice> authenticate(RequestEvent event) {
        DeviceAuthenticator.Check check = authenticator.check(event.getRequest());
        if (check.device() != null) return Optional.of(check.device());
        if (!challengeable(event.getRequest())) return Optional.empty();
        try {
            ServerTransaction transaction = ServerAnswers.transaction(event, sip.provider());
            if (transaction != null) challenge(transaction, check);
        } catch (SipException e) {
            LOG.debug("No transaction to challenge a {}: {}", event.getRequest().getMethod(), e.toString());
        }
        return Optional.empty();
    }

    /**
     * The same for a request whose server transaction the caller made already: the phone, or empty once
     * {@code transaction} has been answered with the challenge.
     */
    public Optional<SipDevice> authenticate(ServerTransaction transaction) {
        DeviceAuthenticator.Check check = authenticator.check(transaction.getRequest());
        if (check.device() != null) return Optional.of(check.device());
        if (challengeable(transaction.getRequest())) challenge(transaction, check);
        return Optional.empty();
    }

    private void challenge(ServerTransaction transaction, DeviceAuthenticator.Check check) {
        Request request = transaction.getRequest();
        LOG.debug("{} from a SIP phone challenged: {}", request.getMethod(), check.reason());
        try {
            ServerAnswers.send(transaction, authenticator.challenge(request, check.stale()));
        } catch (ParseException e) {
            LOG.debug("No challenge to a {}: {}", request.getMethod(), e.toString());
        }
    }

    private static boolean challengeable(Request request) {
        return !Request.ACK.equals(request.getMethod()) && !Request.CANCEL.equals(request.getMethod());
    }

    /** Deletes the expired bindings (every minute, and at start). */
    void sweep() {
        try {
            int gone = bindings.sweep(clock.instant());
            if (gone > 0) LOG.debug("{} expired SIP phone binding(s) deleted", gone);
        } catch (RuntimeException e) {
            LOG.debug("Expired SIP phone bindings not swept: {}", e.toString());
        }
    }
}
