package io.switchboard.sip.device;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.api.Ids;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.storage.FeatureDatabase;
import io.switchboard.sip.trunk.Digest;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * A user's SIP phones: {@code POST /api/v1/sip-devices} makes a username and a password (shown once)
 * that a desk phone or softphone registers with; only the digest HA1 is kept.
 */
@Component(service = SipDeviceService.class)
public class SipDeviceService {
    public static final int MAX_DEVICES = 10;
    private static final Set<String> KINDS = Set.of("person", "business");
    private final SipDeviceStore store;
    private final String domain;
    private final int port;
    private final Clock clock;

    /** What the phone needs: shown once, at creation. */
    public record Created(String id, String name, String username, String password, String realm, String registrar,
                          String createdAt) {}

    /**
     * A phone as listed: {@code registeredUntil} is when its registration runs out (the latest of its
     * contacts), null when it is not registered now.
     */
    public record View(String id, String name, String username, String realm, String registrar, String createdAt,
                       boolean registered, String registeredUntil) {}

    public record Devices(List<View> devices) {}

    @Activate
    public SipDeviceService(@Reference(target = "(switchboard.schema=sip)") FeatureDatabase database, BundleContext context) {
        this(new SipDeviceStore(database.dataSource()), domain(context), port(context.getProperty("switchboard.sip.port")),
                Clock.systemUTC());
    }

    SipDeviceService(SipDeviceStore store, String domain, int port, Clock clock) {
        this.store = store;
        this.domain = domain;
        this.port = port;
        this.clock = clock;
    }

    public Created create(AccountPrincipal owner, String name) {
        if (!KINDS.contains(owner.kind())) {
            throw ApiException.forbidden("not_allowed", "Only people and businesses have SIP phones.");
        }
        if (name == null || name.isBlank() || name.length() > 64) {
            throw ApiException.badRequest("invalid_name", "'name' is 1 to 64 characters.");
        }
        if (store.ofAccount(owner.accountId()).size() >= MAX_DEVICES) {
            throw ApiException.conflict("too_many_devices", "An account has at most " + MAX_DEVICES + " SIP phones.");
        }
        String username = owner.handle() + "." + Ids.random("").substring(0, 6);
        String password = Ids.random("");
        SipDevice d = new SipDevice(Ids.random("dev"), owner.accountId(), name.strip(), username, domain,
                Digest.ha1(username, domain, password), clock.instant());
        store.insert(d);
        return new Created(d.id(), d.name(), username, password, domain, registrar(), d.createdAt().toString());
    }

    public Devices list(AccountPrincipal owner) {
        DeviceRegistry r = registry;
        List<Binding> bindings = r == null ? List.of() : r.bindings(owner.accountId());
        return new Devices(store.ofAccount(owner.accountId()).stream().map(d -> {
            java.util.Optional<java.time.Instant> until = bindings.stream().filter(b -> b.deviceId().equals(d.id()))
                    .map(Binding::expiresAt).max(java.util.Comparator.naturalOrder());
            return new View(d.id(), d.name(), d.username(), d.realm(), registrar(), d.createdAt().toString(),
                    until.isPresent(), until.map(Object::toString).orElse(null));
        }).toList());
    }

    /** Where the phones are registered now; without it (the registrar stopping) none shows as registered. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile DeviceRegistry registry;

    void setRegistry(DeviceRegistry registry) {
        this.registry = registry;
    }

    public void delete(AccountPrincipal owner, String id) {
        if (id == null || !store.delete(owner.accountId(), id)) throw ApiException.notFound("No such SIP phone.");
    }

    /** {@code sip:<domain>:<port>}: where the phone sends its REGISTER. */
    String registrar() {
        return "sip:" + domain + (port == 5060 ? "" : ":" + port);
    }

    /** SWITCHBOARD_SIP_DOMAIN, else SWITCHBOARD_SIP_ADDRESS, else 127.0.0.1: the realm of the phones. */
    public static String domain(BundleContext context) {
        String d = context.getProperty("switchboard.sip.domain");
        if (d == null || d.isBlank()) d = context.getProperty("switchboard.sip.address");
        return d == null || d.isBlank() ? "127.0.0.1" : d.strip();
    }

    private static int port(String setting) {
        try {
            return setting == null || setting.isBlank() ? 5060 : Integer.parseInt(setting.strip());
        } catch (NumberFormatException e) {
            return 5060;
        }
    }
}
