package io.switchboard.sip.routing;

import static io.switchboard.sdk.api.Bodies.require;

import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** {@code /api/v1/routing}: a company's routing rules (docs/routing.md). */
@Component(service = RoutingResource.class)
@JakartarsResource
@Path("/api/v1/routing")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class RoutingResource {
    private final RoutingService routing;

    @Activate
    public RoutingResource(@Reference RoutingService routing) {
        this.routing = routing;
    }

    @PUT
    public RoutingRules put(RoutingRules body, @Context SecurityContext security) {
        return routing.put(Caller.require(security), require(body));
    }

    @GET
    public RoutingRules get(@Context SecurityContext security) {
        return routing.get(Caller.require(security));
    }
}
