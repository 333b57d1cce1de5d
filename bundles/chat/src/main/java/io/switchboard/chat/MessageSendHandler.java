package io.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.stream.FrameHandler;
import io.switchboard.sdk.stream.StreamSession;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client frame {@code {"type":"message.send","conversationId":…,"clientMsgId":…,"text"?,"replyTo"?,
 * "location"?,"attachments"?}}: the {@code PUT …/messages/{clientMsgId}} of a message over the socket,
 * with the same fields, checks, codes and idempotency ({@link ChatService#sendAsync}). The socket's
 * thread only checks and queues; the answer follows on this socket alone once the message is stored:
 * {@code message.sent} ({@link Views.SendAnswer}) or {@code error} ({@link Views.SendRefusal}).
 * {@code message.created} goes to the members' devices as for the PUT. A field of the wrong JSON type,
 * a missing {@code conversationId} or {@code clientMsgId}, or an unknown field is {@code invalid_frame}.
 */
@Component(property = FrameHandler.FRAME_TYPE + "=" + MessageSendHandler.TYPE)
public class MessageSendHandler implements FrameHandler {
    static final String TYPE = "message.send";
    static final String SENT = "message.sent";
    private static final Set<String> FIELDS =
            Set.of("type", "conversationId", "clientMsgId", "text", "replyTo", "location", "attachments");
    private static final Set<String> LOCATION_FIELDS = Set.of("latitude", "longitude", "title");
    private static final Logger LOG = LoggerFactory.getLogger(MessageSendHandler.class);

    private final ChatService chat;

    @Activate
    public MessageSendHandler(@Reference ChatService chat) {
        this.chat = chat;
    }

    /** The {@code error} frame naming the send; anything but a refusal is logged and answered as {@code internal_error}. */
    private static void refuse(StreamSession session, RuntimeException e, String clientMsgId, String conversationId) {
        ApiException api;
        if (e instanceof ApiException a) {
            api = a;
        } else {
            LOG.warn("A message.send failed", e);
            api = new ApiException(500, "internal_error", "The message could not be sent; retry it with the same ids.");
        }
        session.send("error", new Views.SendRefusal(api.code(), api.getMessage(), clientMsgId, conversationId));
    }

    @Override
    public void handle(StreamSession session, JsonNode frame) {
        // Named in every answer when they are strings, even if the send is refused for them.
        String conversationId = frame.path("conversationId").isTextual() ? frame.get("conversationId").asText() : null;
        String clientMsgId = frame.path("clientMsgId").isTextual() ? frame.get("clientMsgId").asText() : null;
        try {
            Views.NewMessage body = body(frame);
            chat.sendAsync(session.principal(), conversationId, clientMsgId, body).whenComplete((sent, error) -> {
                if (error == null) {
                    // The message as its message.created carried it, written once for both.
                    Object message = sent.json() != null ? sent.json() : sent.message();
                    session.send(SENT, new Views.SendAnswer(clientMsgId, conversationId, message, sent.created()));
                } else {
                    refuse(session, ChatWriter.failure(error), clientMsgId, conversationId);
                }
            });
        } catch (RuntimeException e) {
            refuse(session, e, clientMsgId, conversationId);
        }
    }

    /**
     * A send without attachments to a conversation in memory checks and queues without reading the
     * database (attachments are looked up in it, and so is a conversation not yet loaded).
     */
    @Override
    public boolean nonBlocking(JsonNode frame) {
        return chat.isLoaded(frame.get("conversationId")) && !present(frame.get("attachments"));
    }

    /**
     * The frame as the PUT's body, checked for shape only: every field of its JSON type, none unknown,
     * {@code conversationId} and {@code clientMsgId} present. What the values may be is the send's check.
     */
    static Views.NewMessage body(JsonNode frame) {
        unknownFields(frame, FIELDS, "");
        required(frame, "conversationId");
        required(frame, "clientMsgId");
        JsonNode location = frame.get("location");
        Views.Location where = null;
        if (present(location)) {
            if (!location.isObject()) throw invalid("'location' must be an object.");
            unknownFields(location, LOCATION_FIELDS, "location.");
            where = new Views.Location(number(location, "latitude"), number(location, "longitude"),
                    text(location, "title", "location.title"));
        }
        JsonNode attachments = frame.get("attachments");
        List<String> media = null;
        if (present(attachments)) {
            if (!attachments.isArray()) throw invalid("'attachments' must be an array of media ids.");
            media = new ArrayList<>(attachments.size());
            for (JsonNode a : attachments) {
                if (!a.isTextual()) throw invalid("'attachments' must be an array of media ids (strings).");
                media.add(a.asText());
            }
        }
        return new Views.NewMessage(text(frame, "text", "text"), text(frame, "replyTo", "replyTo"), media, where);
    }

    private static void required(JsonNode frame, String field) {
        JsonNode value = frame.get(field);
        if (!present(value)) throw invalid("'" + field + "' is required.");
        if (!value.isTextual()) throw invalid("'" + field + "' must be a string.");
    }

    private static String text(JsonNode node, String field, String name) {
        JsonNode value = node.get(field);
        if (!present(value)) return null;
        if (!value.isTextual()) throw invalid("'" + name + "' must be a string.");
        return value.asText();
    }

    private static Double number(JsonNode location, String field) {
        JsonNode value = location.get(field);
        if (!present(value)) return null;
        if (!value.isNumber()) throw invalid("'location." + field + "' must be a number.");
        return value.doubleValue();
    }

    private static void unknownFields(JsonNode node, Set<String> known, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) throw invalid("Unknown field '" + prefix + name + "'.");
        }
    }

    private static boolean present(JsonNode value) {
        return value != null && !value.isNull();
    }

    private static ApiException invalid(String message) {
        return ApiException.badRequest("invalid_frame", message);
    }
}
