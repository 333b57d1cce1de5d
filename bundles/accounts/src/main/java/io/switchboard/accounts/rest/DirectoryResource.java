package io.switchboard.accounts.rest;

import io.switchboard.accounts.AccountService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/**
 * Directory search. Open without a token: finding a company by name is the point of the directory,
 * and it shows only public profile fields.
 */
@Component(service = DirectoryResource.class)
@JakartarsResource
@Path("/api/v1/directory")
@Produces(MediaType.APPLICATION_JSON)
public class DirectoryResource {
    @Reference
    private AccountService accounts;

    @GET
    public Views.Results search(@QueryParam("q") String q, @QueryParam("kind") String kind,
                                @QueryParam("limit") String limit) {
        return new Views.Results(accounts.search(q, kind, limit).stream().map(Views.Entry::of).toList());
    }
}
