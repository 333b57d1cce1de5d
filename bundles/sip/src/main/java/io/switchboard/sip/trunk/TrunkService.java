package io.switchboard.sip.trunk;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.storage.FeatureDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A company's trunks: checked, stored (password sealed), listed with their live status. Only a
 * business account manages trunks, and only its own: another company's trunk id is a 404. The
 * {@link TrunkSupervisor}, once attached, starts registering or probing a new trunk and un-REGISTERs a
 * deleted one before it goes; the status it reports is what the list shows.
 */
@Component(service = TrunkService.class)
public class TrunkService {
    private static final Logger LOG = LoggerFactory.getLogger(TrunkService.class);
    private final TrunkStore store;
    private final Clock clock;
    private final Map<String, TrunkStatus> statuses = new ConcurrentHashMap<>();
    private volatile TrunkSupervisor supervisor;

    @Activate
    public TrunkService(@Reference(target = "(switchboard.schema=sip)") FeatureDatabase database, BundleContext context)
            throws IOException {
        this(new TrunkStore(database.dataSource(), SecretBox.fromKeyFile(
                Path.of(context.getProperty("switchboard.home"), "conf", "sip-secrets.key"))), Clock.systemUTC());
    }

    TrunkService(TrunkStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public TrunkViews.TrunkView create(AccountPrincipal owner, TrunkViews.NewTrunk body) {
        String company = company(owner);
        Trunk trunk = TrunkRules.check(company, body, clock.instant());
        if (!store.insert(trunk)) {
            throw ApiException.conflict("trunk_exists", "A trunk named '" + trunk.name() + "' exists already.");
        }
        statuses.put(trunk.id(), TrunkStatus.initial(trunk, clock.instant()));
        peers = null;
        LOG.info("{} added", trunk);
        TrunkSupervisor s = supervisor;
        if (s != null) s.start(trunk);
        return view(trunk);
    }

    public List<TrunkViews.TrunkView> list(AccountPrincipal owner) {
        return store.ofCompany(company(owner)).stream().map(this::view).toList();
    }

    public void delete(AccountPrincipal owner, String id) {
        String company = company(owner);
        Trunk trunk = store.find(company, id).orElseThrow(() -> ApiException.notFound("No such trunk."));
        TrunkSupervisor s = supervisor;
        if (s != null) s.stop(id);
        store.delete(company, id);
        statuses.remove(id);
        peers = null;
        LOG.info("{} deleted", trunk);
    }

    /** The names of a company's trunks (routing rules may only name these). */
    public Set<String> names(String companyId) {
        return store.ofCompany(companyId).stream().map(Trunk::name).collect(Collectors.toSet());
    }

    /** Every stored trunk, passwords opened (for the supervisor to start with). */
    List<Trunk> all() {
        return store.all();
    }

    /**
     * The trunk a request from {@code source} came over: the first (oldest) whose host is or resolves to
     * that address. Trunks and names are read again at most every {@value #PEERS_TTL_MS} ms, so a SIP
     * request costs no database read.
     */
    public Optional<Trunk> from(InetAddress source) {
        if (source == null) return Optional.empty();
        Peers p = peers;
        long now = System.currentTimeMillis();
        if (p == null || now - p.readAt() > PEERS_TTL_MS) {
            Map<InetAddress, Trunk> byAddress = new java.util.LinkedHashMap<>();
            for (Trunk t : store.all()) {
                try {
                    for (InetAddress a : InetAddress.getAllByName(t.host())) byAddress.putIfAbsent(a, t);
                } catch (java.net.UnknownHostException e) {
                    LOG.debug("{}: host {} does not resolve", t, t.host());
                }
            }
            p = new Peers(byAddress, now);
            peers = p;
        }
        return Optional.ofNullable(p.byAddress().get(source));
    }

    private static final long PEERS_TTL_MS = 2000;
    private volatile Peers peers;

    private record Peers(Map<InetAddress, Trunk> byAddress, long readAt) {}

    /** From now on {@code s} hears of trunks added and deleted. */
    void attach(TrunkSupervisor s) {
        supervisor = s;
    }

    void detach(TrunkSupervisor s) {
        if (supervisor == s) supervisor = null;
    }

    /** Set by the registration and probing of the trunk. */
    public void status(String trunkId, String status, String lastError) {
        statuses.put(trunkId, new TrunkStatus(status, lastError, clock.instant()));
    }

    /** The business account the caller is; 403 for anyone else. */
    public static String company(AccountPrincipal owner) {
        if (!"business".equals(owner.kind())) {
            throw ApiException.forbidden("business_only", "Only a business account has trunks and routing rules.");
        }
        return owner.accountId();
    }

    private TrunkViews.TrunkView view(Trunk t) {
        TrunkStatus s = statuses.computeIfAbsent(t.id(), k -> TrunkStatus.initial(t, clock.instant()));
        return new TrunkViews.TrunkView(t.id(), t.name(), t.mode().name().toLowerCase(java.util.Locale.ROOT), t.host(),
                t.port(), t.transport().name().toLowerCase(java.util.Locale.ROOT), t.username(), t.realm(), t.priority(),
                t.weight(), t.maxChannels(), s.status(), s.lastError(), s.since().toString(), t.createdAt().toString());
    }
}
