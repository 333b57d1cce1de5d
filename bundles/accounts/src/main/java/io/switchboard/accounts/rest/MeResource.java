package io.switchboard.accounts.rest;

import io.switchboard.accounts.AccountService;
import io.switchboard.sdk.api.Bodies;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import org.osgi.service.component.annotations.Component;
import io.switchboard.sdk.stream.UpdatePublisher;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** The caller's own account. A change is published as {@code account.updated} to all its devices. */
@Component(service = MeResource.class)
@JakartarsResource
@Path("/api/v1/me")
@Produces(MediaType.APPLICATION_JSON)
public class MeResource {
    @Reference
    private AccountService accounts;

    /** Tells the caller's other devices about the change; optional so the API works without a stream. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile UpdatePublisher updates;

    @GET
    public Views.Account me(@Context SecurityContext security) {
        return Views.Account.of(accounts.me(Caller.require(security).accountId()));
    }

    @PATCH
    public Views.Account change(Views.ProfileChange body, @Context SecurityContext security) {
        String accountId = Caller.require(security).accountId();
        Views.ProfileChange c = Bodies.require(body);
        Views.Account changed = Views.Account.of(accounts.updateProfile(accountId, c.displayName(), c.about()));
        UpdatePublisher publisher = updates;
        if (publisher != null) publisher.publish(accountId, "account.updated", changed);
        return changed;
    }
}
