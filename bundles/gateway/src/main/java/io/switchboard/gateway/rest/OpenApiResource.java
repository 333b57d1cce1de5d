package io.switchboard.gateway.rest;

import io.switchboard.sdk.api.ApiException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URL;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** {@code GET /api/v1/openapi.yaml}: the API reference shipped in this bundle (docs/openapi.yaml). */
@Component(service = OpenApiResource.class)
@JakartarsResource
@Path("/api/v1/openapi.yaml")
public class OpenApiResource {
    private final BundleContext context;

    @Activate
    public OpenApiResource(BundleContext context) {
        this.context = context;
    }

    @GET
    @Produces("application/yaml")
    public Response get() throws java.io.IOException {
        URL entry = context.getBundle().getEntry("openapi.yaml");
        if (entry == null) throw ApiException.notFound("No API reference is packaged.");
        InputStream in = entry.openStream();
        return Response.ok(in, "application/yaml").build();
    }
}
