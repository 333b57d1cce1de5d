package io.switchboard.calls.call;

import static io.switchboard.sdk.api.Bodies.require;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/** {@code /api/v1/calls}: start, answer, candidates, hang up, renegotiate, history (docs/calls.md). */
@Component(service = CallsResource.class)
@JakartarsResource
@Path("/api/v1/calls")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CallsResource {
    private static final int DEFAULT_PAGE = 50;
    private static final int MAX_PAGE = 100;
    private final CallService calls;

    @Activate
    public CallsResource(@Reference CallService calls) {
        this.calls = calls;
    }

    @POST
    public Response start(CallViews.NewCall body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return Response.status(201).entity(calls.start(caller, require(body))).build();
    }

    @GET
    public CallViews.Calls history(@QueryParam("before") String before, @QueryParam("limit") String limit,
                                   @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return new CallViews.Calls(calls.history(caller, before, pageSize(limit)));
    }

    @GET
    @Path("{id}")
    public CallViews.CallView get(@PathParam("id") String id, @Context SecurityContext security) {
        return calls.get(Caller.require(security), id);
    }

    @POST
    @Path("{id}/answer")
    public CallViews.CallView answer(@PathParam("id") String id, CallViews.Answer body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return calls.answer(caller, id, require(body));
    }

    @POST
    @Path("{id}/candidates")
    public Response candidate(@PathParam("id") String id, CallViews.Candidate body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        calls.candidate(caller, id, require(body));
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/hangup")
    public Response hangup(@PathParam("id") String id, CallViews.Hangup body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        calls.hangup(caller, id, body);
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/sdp")
    public Response renegotiate(@PathParam("id") String id, CallViews.Sdp body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        calls.renegotiate(caller, id, require(body));
        return Response.noContent().build();
    }

    static int pageSize(String limit) {
        if (limit == null) return DEFAULT_PAGE;
        try {
            int n = Integer.parseInt(limit);
            if (n >= 1 && n <= MAX_PAGE) return n;
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("invalid_limit", "'limit' is 1 to " + MAX_PAGE + ".");
    }
}
