package io.switchboard.calls.ice;

import io.switchboard.calls.CallsConfig;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/calls/ice-servers}: the STUN/TURN servers of SWITCHBOARD_ICE_SERVERS (framework
 * property {@code switchboard.ice.servers}), TURN with credentials from SWITCHBOARD_TURN_SECRET
 * ({@code switchboard.turn.secret}) valid for {@code turn.ttl.seconds} (configuration {@link CallsConfig}, designated
 * on the call service).
 */
@Component(service = IceServersResource.class, configurationPid = CallsConfig.PID)
@JakartarsResource
@Path("/api/v1/calls/ice-servers")
@Produces(MediaType.APPLICATION_JSON)
public class IceServersResource {
    private static final Logger LOG = LoggerFactory.getLogger(IceServersResource.class);

    private final IceServers servers;

    @Activate
    public IceServersResource(BundleContext context, CallsConfig config) {
        IceServers parsed;
        try {
            parsed = new IceServers(context.getProperty("switchboard.ice.servers"),
                    context.getProperty("switchboard.turn.secret"),
                    Duration.ofSeconds(Math.max(60, config.turn_ttl_seconds())), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            LOG.error("SWITCHBOARD_ICE_SERVERS is ignored: {}", e.getMessage());
            parsed = new IceServers(null, null, Duration.ofHours(1), Clock.systemUTC());
        }
        if (parsed.turnWithoutSecret()) {
            LOG.warn("TURN servers are configured but SWITCHBOARD_TURN_SECRET is not: they are not handed out");
        }
        this.servers = parsed;
    }

    @GET
    public Map<String, Object> iceServers(@Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return Map.of("iceServers", servers.forAccount(caller.handle()));
    }
}
