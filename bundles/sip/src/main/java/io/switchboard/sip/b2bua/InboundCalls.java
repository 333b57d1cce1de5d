package io.switchboard.sip.b2bua;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.concurrent.DaemonThreads;
import io.switchboard.sip.stack.RequestHandler;
import io.switchboard.sip.stack.SipRuntime;
import io.switchboard.sip.trunk.Trunk;
import io.switchboard.sip.device.DeviceRegistry;
import io.switchboard.sip.device.SipDevice;
import io.switchboard.sip.device.SipDeviceService;
import io.switchboard.sip.trunk.TrunkService;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls that start on a phone network: an INVITE for {@code sip:<handle>@…} rings that account through
 * the calls feature's {@link CallGateway}. Who may call in, and as whom: an INVITE from the address of
 * a company's trunk host (registration and peer trunks alike) is a call from that company; one from a
 * user's SIP phone is a call from that user once the phone proves its password (407 first, digest);
 * anyone else gets 403 (an INVITE that names neither our domain nor credentials) or the challenge again.
 * Switchboard relays no calls for strangers.
 *
 * <p>The dialled handle is the user part of the request URI (a PBX sends to the contact the trunk
 * registered, keeping the number dialled as its user), else of the To header. Each call is an
 * {@link InboundCall}; BYE, CANCEL and ACK in its dialog are claimed here too. Stopping the component
 * ends the calls still up (BYE or 503) and hangs them up in the calls feature.
 */
@Component(service = {})
public class InboundCalls implements RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InboundCalls.class);

    final SipRuntime sip;
    final CallGateway gateway;
    private final AccountLookup accounts;
    private final TrunkSource trunks;
    private final PhoneSource phones;
    private final String domain;
    private final TrunkChannels channels;
    /** Checks that each answer was acknowledged in time. */
    final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("switchboard-sip-inbound"));
    /** Live calls by the Call-ID of their INVITE. */
    private final Map<String, InboundCall> calls = new ConcurrentHashMap<>();

    /** Which trunk a request came over, by its source address. */
    @FunctionalInterface
    interface TrunkSource {
        Optional<Trunk> from(InetAddress source);
    }

    /**
     * Which user's phone sent a request: the account id when its credentials are good; empty when it was
     * answered with a challenge instead.
     */
    @FunctionalInterface
    interface PhoneSource {
        Optional<String> authenticate(RequestEvent event);
    }

    @Activate
    public InboundCalls(@Reference SipRuntime sip, @Reference CallGateway gateway, @Reference AccountLookup accounts,
                        @Reference TrunkService trunks, @Reference DeviceRegistry phones,
                        @Reference TrunkChannels channels, BundleContext context) {
        this(sip, gateway, accounts, trunks::from, event -> phones.authenticate(event).map(SipDevice::accountId),
                SipDeviceService.domain(context), channels);
    }

    InboundCalls(SipRuntime sip, CallGateway gateway, AccountLookup accounts, TrunkSource trunks, PhoneSource phones,
                 String domain, TrunkChannels channels) {
        this.channels = channels;
        this.sip = sip;
        this.gateway = gateway;
        this.accounts = accounts;
        this.trunks = trunks;
        this.phones = phones;
        this.domain = domain;
        sip.addRequestHandler(this);
    }

    @Deactivate
    void deactivate() {
        sip.removeRequestHandler(this);
        for (InboundCall call : List.copyOf(calls.values())) call.shutdown();
        calls.forEach(this::forget);
        timers.shutdownNow();
    }

    @Override
    public boolean handle(RequestEvent event) {
        Request request = event.getRequest();
        String method = request.getMethod();
        CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
        if (callId == null) return false;
        InboundCall known = calls.get(callId.getCallId());
        if (known != null) {
            switch (method) {
                case Request.ACK -> known.ack();
                case Request.CANCEL -> known.cancel(event);
                case Request.BYE -> known.bye(event);
                case Request.INVITE -> known.reInvite(event);
                default -> { return false; }
            }
            return true;
        }
        if (!Request.INVITE.equals(method)) return false;
        ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
        if (to != null && to.getTag() != null) return false; // a re-INVITE of a dialog that is not ours
        Optional<Trunk> trunk = trunks.from(source(request));
        if (trunk.isPresent()) {
            invite(event, trunk.get().companyId(), trunk.get().toString(), trunk.get());
            return true;
        }
        if (!fromOurDomain(request) && request.getHeader(ProxyAuthorizationHeader.NAME) == null
                && request.getHeader(AuthorizationHeader.NAME) == null) {
            return false; // the refusing listener answers 403
        }
        Optional<String> user = phones.authenticate(event);
        if (user.isPresent()) invite(event, user.get(), "a SIP phone of " + user.get(), null);
        return true; // challenged otherwise
    }

    /** True when the From names our domain: a phone of ours, or someone pretending to be one. */
    private boolean fromOurDomain(Request request) {
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        return from != null && from.getAddress().getURI() instanceof SipURI uri && domain.equalsIgnoreCase(uri.getHost());
    }

    /** {@code trunk}: the one the call came over, whose channel it takes; null for a phone. */
    private void invite(RequestEvent event, String callerId, String from, Trunk trunk) {
        Request request = event.getRequest();
        ServerTransaction st;
        try {
            st = event.getServerTransaction() != null ? event.getServerTransaction()
                    : ((SipProvider) event.getSource()).getNewServerTransaction(request);
        } catch (Exception e) {
            // a retransmission racing its original: the original's transaction answers it
            LOG.debug("No transaction for an INVITE from {}: {}", from, e.toString());
            return;
        }
        String handle = dialled(request);
        Optional<AccountInfo> callee = handle == null ? Optional.empty() : accounts.byHandle(handle);
        InboundCall call = new InboundCall(this, st, callerId, from, trunk);
        if (callee.isEmpty()) {
            call.reject(Response.NOT_FOUND, "No account '" + handle + "'");
            return;
        }
        if (trunk != null && !channels.acquire(trunk)) {
            call.reject(Response.SERVICE_UNAVAILABLE, "All " + trunk.maxChannels() + " channels of " + trunk + " are in use");
            return;
        }
        String key = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        if (calls.putIfAbsent(key, call) != null) {
            if (trunk != null) channels.release(trunk);
            return;
        }
        call.start(callee.get());
    }

    /** The call is over: it lets go of its trunk's channel. */
    void forget(String sipCallId, InboundCall call) {
        if (calls.remove(sipCallId, call) && call.trunk() != null) channels.release(call.trunk());
    }

    /** Live calls (tests). */
    int live() {
        return calls.size();
    }

    /** The handle dialled: the request URI's user, else the To URI's; lower case. Null when neither names one. */
    static String dialled(Request request) {
        String user = user(request.getRequestURI());
        if (user == null) {
            ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
            if (to != null) user = user(to.getAddress().getURI());
        }
        return user == null || user.isBlank() || user.length() > 64 ? null : user.toLowerCase(Locale.ROOT);
    }

    private static String user(URI uri) {
        return uri instanceof SipURI s ? s.getUser() : null;
    }

    /** The address the request's packet (or connection) came from, not what its Via claims. */
    static InetAddress source(Request request) {
        return request instanceof gov.nist.javax.sip.message.SIPMessage m ? m.getPeerPacketSourceAddress() : null;
    }

    static Logger log() {
        return LOG;
    }
}
