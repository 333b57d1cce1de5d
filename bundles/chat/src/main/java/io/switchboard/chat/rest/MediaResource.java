package io.switchboard.chat.rest;

import io.switchboard.chat.ChatService;
import io.switchboard.chat.Views;
import io.switchboard.sdk.api.BodyLimit;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsResource;

/**
 * {@code POST /api/v1/media} (the raw bytes with their Content-Type, or a multipart form with one
 * file) and {@code GET /api/v1/media/{mediaId}}. Bytes stream through; the configured size limit
 * applies (413 over it).
 */
@Component(service = MediaResource.class)
@JakartarsResource
@Path("/api/v1/media")
public class MediaResource {
    private final ChatService chat;

    @Activate
    public MediaResource(@Reference ChatService chat) {
        this.chat = chat;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @BodyLimit(Long.MAX_VALUE) // the configured media limit is applied while the bytes stream in
    public Response upload(@HeaderParam("Content-Type") String contentType,
                           @HeaderParam("Content-Length") String contentLength, InputStream body,
                           @Context SecurityContext security) {
        Views.MediaInfo stored = chat.media().upload(Caller.require(security), contentType, contentLength, body);
        return Response.status(201).entity(stored).build();
    }

    @GET
    @Path("{mediaId}")
    public Response download(@PathParam("mediaId") String mediaId, @Context SecurityContext security) {
        return chat.media().download(Caller.require(security), mediaId);
    }
}
