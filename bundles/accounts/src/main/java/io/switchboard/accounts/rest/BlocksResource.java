package io.switchboard.accounts.rest;

import io.switchboard.accounts.AccountService;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/**
 * The caller's block list. PUT and DELETE name the other account in the path, so both are
 * idempotent and take no body; the list is only ever the caller's own, since who blocked whom is
 * nobody else's business.
 */
@Component(service = BlocksResource.class)
@JakartarsResource
@Path("/api/v1/blocks")
@Produces(MediaType.APPLICATION_JSON)
public class BlocksResource {
    @Reference
    private AccountService accounts;

    @GET
    public Views.Blocks list(@Context SecurityContext security) {
        String accountId = Caller.require(security).accountId();
        return new Views.Blocks(accounts.blockedBy(accountId).stream().map(Views.Blocked::of).toList());
    }

    @PUT
    @Path("{handle}")
    public Response block(@PathParam("handle") String handle, @Context SecurityContext security) {
        accounts.block(Caller.require(security).accountId(), handle);
        return Response.noContent().build();
    }

    @DELETE
    @Path("{handle}")
    public Response unblock(@PathParam("handle") String handle, @Context SecurityContext security) {
        accounts.unblock(Caller.require(security).accountId(), handle);
        return Response.noContent().build();
    }
}
