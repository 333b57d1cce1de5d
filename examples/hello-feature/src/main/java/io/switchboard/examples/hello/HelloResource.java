package io.switchboard.examples.hello;

import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.util.Map;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** {@code GET /api/v1/hello}: authenticated; answers {@code {"hello":"<handle>","greeting":...}}. */
@Component(service = HelloResource.class)
@JakartarsResource
@Path("/api/v1/hello")
public class HelloResource {
    private final String greeting = Greeting.load();

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, String> hello(@Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return Map.of("hello", caller.handle(), "greeting", greeting);
    }
}
