package io.switchboard.gateway.stream;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;

/** The Jakarta WebSocket endpoint of {@code /api/v1/stream}; one instance per socket. */
public final class StreamEndpoint extends Endpoint {
    static final long IDLE_TIMEOUT_MILLIS = 10 * 60 * 1000L;
    private final StreamHub hub;
    private StreamConnection connection;

    StreamEndpoint(StreamHub hub) {
        this.hub = hub;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        session.setMaxIdleTimeout(IDLE_TIMEOUT_MILLIS);
        connection = new StreamConnection(session, hub);
        session.addMessageHandler(new MessageHandler.Whole<String>() {
            @Override
            public void onMessage(String text) {
                connection.onText(text);
            }
        });
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (connection != null) connection.onClosed();
    }

    @Override
    public void onError(Session session, Throwable error) {
        if (connection != null) connection.onClosed();
    }
}
