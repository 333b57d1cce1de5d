package io.switchboard.sdk.stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles one client frame type on the stream. Register it as a service with the property
 * {@link #FRAME_TYPE} naming the type (e.g. {@code hello.ping}). The gateway looks handlers up per
 * frame, so a feature bundle can come and go while sockets stay open.
 * Throw {@link io.switchboard.sdk.api.ApiException} to answer the client with an error frame.
 *
 * <p>A socket's frames are handled one at a time, in the order they came. By default a frame is handled
 * on a thread of the gateway's own that may block (a database read, a call to another service); the
 * socket reads its next frame once {@code handle} returns. A handler whose work for a frame never
 * blocks says so with {@link #nonBlocking}: that frame is then handled on the thread that read it
 * from the socket, which saves a hand-off between threads per frame but stalls every socket that
 * thread serves while it runs.
 */
@ConsumerType
public interface FrameHandler {
    /** Service property: the frame type this handler takes. */
    String FRAME_TYPE = "switchboard.frame.type";

    void handle(StreamSession session, JsonNode frame);

    /**
     * True if {@link #handle} returns quickly for this frame without blocking: no I/O, no waiting for a
     * lock another thread may hold long, no call that may do either. Asked on the socket's reading
     * thread for every frame, so it must itself be cheap and never block. False by default.
     */
    default boolean nonBlocking(JsonNode frame) {
        return false;
    }
}
