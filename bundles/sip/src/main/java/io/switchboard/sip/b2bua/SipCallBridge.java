package io.switchboard.sip.b2bua;

import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.calls.CallBridge;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sip.device.SipDeviceService;
import io.switchboard.sip.routing.RingStep;
import io.switchboard.sip.routing.RoutingService;
import io.switchboard.sip.routing.AnsweredLog;
import io.switchboard.sip.routing.Target;
import io.switchboard.sip.stack.RequestHandler;
import io.switchboard.sip.stack.SipRuntime;
import io.switchboard.sip.trunk.SecretBox;
import io.switchboard.sip.trunk.Trunk;
import io.switchboard.sip.trunk.TrunkService;
import io.switchboard.sip.trunk.TrunkStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sip.RequestEvent;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The B2BUA's far leg of calls to a company: a {@link CallBridge} for companies with trunks and routing
 * rules. Each call runs its ring steps one after the other, every target of a step invited in parallel
 * over the company's trunks (see {@link OutboundCall}); a BYE from the PBX in the dialog of an answered
 * call ends it. Stopping hangs up every live call (BYE or CANCEL), waits a little for the answers, then
 * lets go of the stack.
 */
@Component(service = CallBridge.class)
public class SipCallBridge implements CallBridge, RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(SipCallBridge.class);
    /** How long stopping waits for the answers to its BYEs and CANCELs. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    final SipRuntime sip;
    final Companies companies;
    final String domain;
    final Clock clock;
    final ScheduledExecutorService timers;
    final Employees employees;
    final TrunkChannels channels;
    /** Answered calls per company and target ({@code <companyId> <target key>}): who is busy. */
    private final Map<String, AtomicInteger> talking = new ConcurrentHashMap<>();
    private final CallTable<OutboundCall> calls = new CallTable<>();
    /** BYEs and CANCELs sent and not yet answered. */
    final AtomicInteger pending = new AtomicInteger();

    @Activate
    public SipCallBridge(@Reference SipRuntime sip, @Reference RoutingService routing, @Reference TrunkService trunks,
                         @Reference(target = "(switchboard.schema=sip)") FeatureDatabase database,
                         @Reference CallGateway gateway, @Reference AccountLookup accounts,
                         @Reference TrunkChannels channels, BundleContext context)
            throws IOException {
        // TrunkService made the key file (it is referenced so that it starts first) and offers no trunk list.
        this(sip, stored(routing, database.dataSource(), new TrunkStore(database.dataSource(), SecretBox.fromKeyFile(
                Path.of(context.getProperty("switchboard.home"), "conf", "sip-secrets.key")))), SipDeviceService.domain(context),
                Clock.systemUTC(), Employees.of(accounts, gateway), channels);
    }

    SipCallBridge(SipRuntime sip, Companies companies, String domain, Clock clock) {
        this(sip, companies, domain, clock, Employees.NONE, new TrunkChannels());
    }

    SipCallBridge(SipRuntime sip, Companies companies, String domain, Clock clock, Employees employees,
                  TrunkChannels channels) {
        this.employees = employees;
        this.channels = channels;
        this.sip = sip;
        this.companies = companies;
        this.domain = domain;
        this.clock = clock;
        this.timers = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("switchboard-sip-b2bua"));
        sip.addRequestHandler(this);
    }

    @Deactivate
    void deactivate() {
        for (OutboundCall call : calls.all()) call.hangup();
        InviteLeg.awaitPending(pending, STOP_WAIT);
        sip.removeRequestHandler(this);
        timers.shutdownNow();
        if (companies instanceof StoredCompanies stored) stored.answers.close();
    }

    @Override
    public boolean bridges(String calleeAccountId) {
        // Asked for every call, to anyone: the rules first, as most callees are people who have none.
        return companies.routes(calleeAccountId) && !companies.trunks(calleeAccountId).isEmpty();
    }

    @Override
    public void ring(BridgedCall call, Listener listener) {
        OutboundCall outbound = new OutboundCall(this, call, listener);
        if (!calls.add(call.callId(), outbound)) {
            listener.failed("failed", "call " + call.callId() + " is bridged already");
            return;
        }
        // Off the caller's thread: reading the trunks and rules and sending are not its business.
        try {
            timers.execute(outbound::start);
        } catch (RejectedExecutionException stopped) {
            calls.forget(call.callId(), outbound);
            listener.failed("failed", "the SIP bridge is stopping");
        }
    }

    @Override
    public void hangup(String callId) {
        OutboundCall call = calls.get(callId);
        if (call != null) call.hangup();
    }

    /** Claims BYE, ACK and CANCEL in the dialogs of answered calls. */
    @Override
    public boolean handle(RequestEvent event) {
        OutboundCall call = calls.inDialog(event);
        if (call == null) return false;
        call.request(event);
        return true;
    }

    void answered(String dialogCallId, OutboundCall call) {
        calls.answered(dialogCallId, call);
    }

    void forget(OutboundCall call) {
        calls.forget(call.call.callId(), call);
    }

    /** A call of the company's was answered by {@code target} ({@code +1}), or that call is over ({@code -1}). */
    void talking(String companyId, Target target, int delta) {
        talking.computeIfAbsent(companyId + " " + target.key(), k -> new AtomicInteger()).addAndGet(delta);
    }

    /**
     * Whether a ring-group member is in a call now: an extension in an answered call through this bridge
     * (calls the PBX places itself are not seen), an employee in any answered call.
     */
    boolean busy(String companyId, Target target) {
        if (!target.isExtension()) return employees.accountOf(target.handle()).map(employees::inCall).orElse(false);
        AtomicInteger n = talking.get(companyId + " " + target.key());
        return n != null && n.get() > 0;
    }

    /** Live calls (tests). */
    int live() {
        return calls.size();
    }

    private static Companies stored(RoutingService routing, DataSource db, TrunkStore trunks) {
        return new StoredCompanies(routing, new AnsweredLog(db), trunks);
    }

    /** The companies' trunks and rules as stored; their targets' answers written behind the calls. */
    private record StoredCompanies(RoutingService routing, AnsweredLog answers, TrunkStore trunkStore) implements Companies {
        @Override
        public List<Trunk> trunks(String companyId) {
            return trunkStore.ofCompany(companyId);
        }

        @Override
        public boolean routes(String companyId) {
            return routing.hasRules(companyId);
        }

        @Override
        public Optional<List<RingStep>> steps(String companyId, Instant now, Predicate<Target> busy) {
            return routing.router(companyId).map(r -> r.route(now, busy));
        }

        @Override
        public void answered(String companyId, String targetKey, Instant at) {
            answers.answered(companyId, targetKey, at);
        }
    }

    static Logger log() {
        return LOG;
    }
}
