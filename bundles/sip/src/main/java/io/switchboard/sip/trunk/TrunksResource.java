package io.switchboard.sip.trunk;

import static io.switchboard.sdk.api.Bodies.require;

import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** {@code /api/v1/trunks}: a company's SIP trunks (owner of the business account). */
@Component(service = TrunksResource.class)
@JakartarsResource
@Path("/api/v1/trunks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrunksResource {
    private final TrunkService trunks;

    @Activate
    public TrunksResource(@Reference TrunkService trunks) {
        this.trunks = trunks;
    }

    @POST
    public Response create(TrunkViews.NewTrunk body, @Context SecurityContext security) {
        return Response.status(201).entity(trunks.create(Caller.require(security), require(body))).build();
    }

    @GET
    public TrunkViews.Trunks list(@Context SecurityContext security) {
        return new TrunkViews.Trunks(trunks.list(Caller.require(security)));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, @Context SecurityContext security) {
        trunks.delete(Caller.require(security), id);
        return Response.noContent().build();
    }
}
