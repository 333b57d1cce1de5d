package io.switchboard.accounts.rest;

import io.switchboard.accounts.AccountService;
import io.switchboard.accounts.LoginResult;
import io.switchboard.sdk.api.Bodies;
import io.switchboard.sdk.auth.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** Login (a new session per device) and logout (the calling session ends at once). */
@Component(service = SessionsResource.class)
@JakartarsResource
@Path("/api/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
public class SessionsResource {
    @Reference
    private AccountService accounts;

    @POST
    public Response login(Views.Login body, @Context HttpServletRequest request) {
        Views.Login l = Bodies.require(body);
        String address = request == null ? null : request.getRemoteAddr();
        LoginResult result = accounts.login(l.handle(), l.password(), l.deviceName(), address);
        return Response.status(Response.Status.CREATED)
                .entity(new Views.Session(result.token(), Views.Account.of(result.account()))).build();
    }

    @DELETE
    @Path("current")
    public Response logout(@Context SecurityContext security) {
        accounts.logout(Caller.require(security).sessionId());
        return Response.noContent().build();
    }
}
