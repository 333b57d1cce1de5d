package io.switchboard.accounts.rest;

import io.switchboard.accounts.AccountService;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** The caller's own account. */
@Component(service = MeResource.class)
@JakartarsResource
@Path("/api/v1/me")
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {
    @Reference
    private AccountService accounts;

    @GET
    public Views.Account me(@Context SecurityContext security) {
        return Views.Account.of(accounts.me(Caller.require(security).accountId()));
    }

    @PATCH
    public Views.Account change(Views.ProfileChange body, @Context SecurityContext security) {
        String accountId = Caller.require(security).accountId();
        Views.ProfileChange c = Bodies.require(body);
        return Views.Account.of(accounts.updateProfile(accountId, c.displayName(), c.about()));
    }
}
