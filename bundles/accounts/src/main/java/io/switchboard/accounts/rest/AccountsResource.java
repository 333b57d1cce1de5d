package io.switchboard.accounts.rest;

import io.switchboard.accounts.AccountService;
import io.switchboard.sdk.api.Bodies;
import io.switchboard.sdk.accounts.AccountInfo;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** Registration and public profiles. Neither needs a token. */
@Component(service = AccountsResource.class)
@JakartarsResource
@Path("/api/v1/accounts")
@Produces(MediaType.APPLICATION_JSON)
public class AccountsResource {
    @Reference
    private AccountService accounts;

    @POST
    public Response register(Views.Registration body) {
        Views.Registration r = Bodies.require(body);
        AccountInfo created = accounts.register(r.handle(), r.displayName(), r.password(), r.kind());
        return Response.created(URI.create("/api/v1/accounts/" + created.handle()))
                .entity(Views.Created.of(created)).build();
    }

    @GET
    @Path("{handle}")
    public Views.Profile profile(@PathParam("handle") String handle) {
        return Views.Profile.of(accounts.profile(handle));
    }
}
