package io.switchboard.sdk.stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles one client frame type on the stream. Register it as a service with the property
 * {@link #FRAME_TYPE} naming the type (e.g. {@code hello.ping}). The gateway looks handlers up per
 * frame, so a feature bundle can come and go while sockets stay open.
 * Throw {@link io.switchboard.sdk.api.ApiException} to answer the client with an error frame.
 */
@ConsumerType
public interface FrameHandler {
    /** Service property: the frame type this handler takes. */
    String FRAME_TYPE = "switchboard.frame.type";

    void handle(StreamSession session, JsonNode frame);
}
