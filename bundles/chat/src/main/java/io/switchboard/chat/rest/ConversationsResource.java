package io.switchboard.chat.rest;

import static io.switchboard.sdk.api.Bodies.require;

import io.switchboard.chat.ChatService;
import io.switchboard.chat.Views;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.auth.Caller;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

/** {@code /api/v1/conversations}: conversations, members, messages, reactions and read marks. */
@Component(service = ConversationsResource.class)
@JakartarsResource
@Path("/api/v1/conversations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConversationsResource {
    private final ChatService chat;

    @Activate
    public ConversationsResource(@Reference ChatService chat) {
        this.chat = chat;
    }

    @POST
    public Response create(Views.NewConversation body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        Views.NewConversation b = require(body);
        if ("direct".equals(b.kind())) {
            if (b.title() != null || b.members() != null) {
                throw ApiException.badRequest("invalid_conversation", "A direct conversation takes only 'with'.");
            }
            ChatService.Opened opened = chat.openDirect(caller, b.with());
            return Response.status(opened.created() ? 201 : 200).entity(opened.conversation()).build();
        }
        if ("group".equals(b.kind())) {
            if (b.with() != null) throw ApiException.badRequest("invalid_conversation", "A group takes 'title' and 'members'.");
            return Response.status(201).entity(chat.createGroup(caller, b.title(), b.members())).build();
        }
        throw ApiException.badRequest("invalid_kind", "'kind' is direct or group.");
    }

    @GET
    public Views.Conversations list(@Context SecurityContext security) {
        return new Views.Conversations(chat.conversations(Caller.require(security)));
    }

    @GET
    @Path("{id}")
    public Views.Conversation get(@PathParam("id") String id, @Context SecurityContext security) {
        return chat.conversation(Caller.require(security), id);
    }

    @PATCH
    @Path("{id}")
    public Views.Conversation rename(@PathParam("id") String id, Views.Rename body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return chat.rename(caller, id, require(body).title());
    }

    @POST
    @Path("{id}/members")
    public Views.Conversation addMember(@PathParam("id") String id, Views.NewMember body,
                                        @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return chat.addMember(caller, id, require(body).handle());
    }

    @DELETE
    @Path("{id}/members/{handle}")
    public Response removeMember(@PathParam("id") String id, @PathParam("handle") String handle,
                                 @Context SecurityContext security) {
        chat.removeMember(Caller.require(security), id, handle);
        return Response.noContent().build();
    }

    @PATCH
    @Path("{id}/members/{handle}")
    public Views.Conversation setRole(@PathParam("id") String id, @PathParam("handle") String handle,
                                      Views.RoleChange body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return chat.setRole(caller, id, handle, require(body).role());
    }

    @PUT
    @Path("{id}/messages/{clientMsgId}")
    public Response send(@PathParam("id") String id, @PathParam("clientMsgId") String clientMsgId,
                         Views.NewMessage body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        ChatService.Sent sent = chat.send(caller, id, clientMsgId, require(body));
        return Response.status(sent.created() ? 201 : 200).entity(sent.message()).build();
    }

    @GET
    @Path("{id}/messages")
    public Views.Messages history(@PathParam("id") String id, @QueryParam("before") String before,
                                  @QueryParam("limit") String limit, @Context SecurityContext security) {
        return new Views.Messages(chat.history(Caller.require(security), id, before, limit));
    }

    @PATCH
    @Path("{id}/messages/{messageId}")
    public Views.Message edit(@PathParam("id") String id, @PathParam("messageId") String messageId, Views.Edit body,
                              @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return chat.edit(caller, id, messageId, require(body).text());
    }

    @DELETE
    @Path("{id}/messages/{messageId}")
    public Response delete(@PathParam("id") String id, @PathParam("messageId") String messageId,
                           @Context SecurityContext security) {
        chat.delete(Caller.require(security), id, messageId);
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/messages/{messageId}/reactions")
    public Views.Message react(@PathParam("id") String id, @PathParam("messageId") String messageId,
                               Views.NewReaction body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        return chat.react(caller, id, messageId, require(body).emoji());
    }

    @POST
    @Path("{id}/read")
    public Response read(@PathParam("id") String id, Views.ReadMark body, @Context SecurityContext security) {
        AccountPrincipal caller = Caller.require(security);
        chat.markRead(caller, id, require(body).seq());
        return Response.noContent().build();
    }
}
