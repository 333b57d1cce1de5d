package io.switchboard.sip.device;

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

/** {@code /api/v1/sip-devices}: the caller's own SIP phones. */
@Component(service = SipDevicesResource.class)
@JakartarsResource
@Path("/api/v1/sip-devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SipDevicesResource {
    private final SipDeviceService devices;

    /** POST body. */
    public record NewDevice(String name) {}

    @Activate
    public SipDevicesResource(@Reference SipDeviceService devices) {
        this.devices = devices;
    }

    @POST
    public Response create(NewDevice body, @Context SecurityContext security) {
        return Response.status(201).entity(devices.create(Caller.require(security), require(body).name())).build();
    }

    @GET
    public SipDeviceService.Devices list(@Context SecurityContext security) {
        return devices.list(Caller.require(security));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, @Context SecurityContext security) {
        devices.delete(Caller.require(security), id);
        return Response.noContent().build();
    }
}
