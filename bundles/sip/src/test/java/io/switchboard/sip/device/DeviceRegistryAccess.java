package io.switchboard.sip.device;

import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sip.stack.SipRuntime;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/** Starts and stops a {@link DeviceRegistry} outside OSGi, and binds phones, for tests of other packages. */
public final class DeviceRegistryAccess {
    private DeviceRegistryAccess() {}

    public static DeviceRegistry start(SipRuntime sip, DataSource db, String domain) {
        return new DeviceRegistry(sip, db, domain, Clock.systemUTC());
    }

    public static void stop(DeviceRegistry registry) {
        registry.deactivate();
    }

    /**
     * A new SIP phone of the account, bound for an hour at {@code contact} as if its REGISTER had come from
     * {@code address}:{@code port} over {@code transport} ({@code UDP} or {@code TCP}), as the registrar
     * stores it.
     */
    public static void bind(DataSource db, String domain, String accountId, String handle, String contact,
                            String address, int port, String transport) {
        SipDeviceService.Created phone = new SipDeviceService(new SipDeviceStore(db), domain, 5060, Clock.systemUTC())
                .create(new AccountPrincipal(accountId, handle, "person", "s"), "desk");
        Instant now = Instant.now();
        SipDevice device = new SipDevice(phone.id(), accountId, phone.name(), phone.username(), phone.realm(), "",
                now);
        BindingStore.Outcome outcome = new BindingStore(db).apply(device, new BindingStore.Update(
                UUID.randomUUID().toString(), 1, address, port, transport, false, Map.of(contact, 3600)), now);
        if (outcome.refusal() != null) throw new IllegalStateException("not bound: " + outcome.refusal());
    }
}
