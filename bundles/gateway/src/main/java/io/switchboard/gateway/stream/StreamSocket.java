package io.switchboard.gateway.stream;

import java.util.function.Consumer;

/** The WebSocket under a {@link StreamConnection}: how its frames go out and how it closes. */
interface StreamSocket {
    /**
     * Sends one text frame, given as UTF-8 (not changed afterwards); {@code done} gets null once it was
     * written (or, with {@code batch}, taken into the socket's batch), or the failure. A batched frame
     * waits for the next frame sent without {@code batch}, and goes out in the same write.
     */
    void sendText(byte[] utf8, Consumer<Throwable> done, boolean batch);

    /** Starts the close handshake with this code and reason. */
    void close(int code, String reason);

    /** True while frames can still be sent. */
    boolean isOpen();
}
