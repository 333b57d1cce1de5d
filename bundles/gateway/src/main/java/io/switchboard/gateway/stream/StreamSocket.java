package io.switchboard.gateway.stream;

import java.util.function.Consumer;

/** The WebSocket under a {@link StreamConnection}: how its frames go out and how it closes. */
interface StreamSocket {
    /** Sends one text frame; {@code done} gets null once it was written, or the failure. */
    void sendText(String text, Consumer<Throwable> done);

    /** Starts the close handshake with this code and reason. */
    void close(int code, String reason);

    /** True while frames can still be sent. */
    boolean isOpen();
}
