package io.switchboard.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.stream.FrameHandler;
import io.switchboard.sdk.stream.StreamSession;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Client frame {@code {"type":"typing","conversationId":…}}: an ephemeral {@code typing} to the other members. */
@Component(property = FrameHandler.FRAME_TYPE + "=typing")
public class TypingHandler implements FrameHandler {
    private final ChatService chat;

    @Activate
    public TypingHandler(@Reference ChatService chat) {
        this.chat = chat;
    }

    /** Typing in a conversation in memory reads no database: it is checked and fanned out at once. */
    @Override
    public boolean nonBlocking(JsonNode frame) {
        return chat.isLoaded(frame.get("conversationId"));
    }

    @Override
    public void handle(StreamSession session, JsonNode frame) {
        JsonNode id = frame.get("conversationId");
        if (id == null || !id.isTextual()) {
            throw ApiException.badRequest("invalid_frame", "'conversationId' is required.");
        }
        chat.typing(session.principal(), id.asText());
    }
}
