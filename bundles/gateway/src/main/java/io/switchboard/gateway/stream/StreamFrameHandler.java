package io.switchboard.gateway.stream;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket of {@code /api/v1/stream} on Jetty's WebSocket core, with nothing between the frames and
 * the {@link StreamConnection}: text messages (a fragmented one is put together, at most
 * {@link #MAX_MESSAGE} bytes) go to it, pings are answered, binary messages and bad UTF-8 close the
 * socket (1003, 1007), and frames go out as single text frames. One frame is read at a time, on the
 * selector thread ({@link #readOnSelector}).
 */
final class StreamFrameHandler implements FrameHandler, StreamSocket {
    static final int MAX_MESSAGE = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(StreamFrameHandler.class);
    /**
     * Jetty 12.0's {@code AbstractConnection._readCallback} (the version the distribution pins), looked
     * up once; null, and the reason logged once, where it is not there.
     */
    private static final Field READ_CALLBACK = readCallbackField();
    private final StreamHub hub;
    private CoreSession session;
    private StreamConnection connection;
    /** The fragments of a text message not yet complete; null between messages. */
    private ByteBuffer partial;

    private static Field readCallbackField() {
        try {
            Field field = AbstractConnection.class.getDeclaredField("_readCallback");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Stream sockets read on Jetty's pool threads (one hand-off per read): {}", e.toString());
            return null;
        }
    }

    /**
     * Lets the socket's reads run on the Jetty selector thread that finds it readable, instead of
     * being handed to a pool thread for each readable socket (a wake-up of one thread and the parking
     * of another per read: most of Jetty's CPU in the chat bench). Jetty 12.0 declares every
     * connection's read callback blocking and offers no setting for it, so the connection's read
     * callback ({@link #READ_CALLBACK}) is wrapped in one that declares itself non-blocking. That is
     * safe because nothing on the read path blocks: {@link StreamConnection#onText} hands every frame
     * that may block to the hub's frame threads and reads the socket's next frame only after it.
     * Where the field is not there, reads stay dispatched as before.
     */
    private static void readOnSelector(CoreSession coreSession) {
        if (READ_CALLBACK == null || !(coreSession instanceof WebSocketCoreSession core) || core.getConnection() == null) return;
        try {
            READ_CALLBACK.set(core.getConnection(), new NonBlockingRead((Callback) READ_CALLBACK.get(core.getConnection())));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("A stream socket reads on Jetty's pool threads", e);
        }
    }

    /** A connection's read callback, declared non-blocking so the selector runs it itself. */
    record NonBlockingRead(Callback delegate) implements Callback, Invocable {
        @Override
        public void succeeded() {
            delegate.succeeded();
        }

        @Override
        public void failed(Throwable x) {
            delegate.failed(x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }

    StreamFrameHandler(StreamHub hub) {
        this.hub = hub;
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        readOnSelector(coreSession);
        connection = new StreamConnection(this, hub);
        callback.succeeded();
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        switch (frame.getOpCode()) {
            case OpCode.TEXT, OpCode.CONTINUATION -> text(frame, callback);
            case OpCode.PING -> {
                ByteBuffer echo = ByteBuffer.allocate(frame.getPayloadLength());
                if (frame.hasPayload()) echo.put(frame.getPayload().slice()).flip();
                callback.succeeded();
                session.sendFrame(new Frame(OpCode.PONG).setPayload(echo), Callback.NOOP, false);
                session.demand();
            }
            case OpCode.PONG -> {
                callback.succeeded();
                session.demand();
            }
            case OpCode.CLOSE -> callback.succeeded(); // the core answers it and then calls onClosed
            default -> {
                callback.succeeded();
                session.close(CloseStatus.BAD_DATA, "text frames only", Callback.NOOP);
            }
        }
    }

    private void text(Frame frame, Callback callback) {
        ByteBuffer payload = frame.hasPayload() ? frame.getPayload().slice() : ByteBuffer.allocate(0);
        int size = (partial == null ? 0 : partial.position()) + payload.remaining();
        if (size > MAX_MESSAGE) {
            partial = null;
            callback.succeeded();
            session.close(CloseStatus.MESSAGE_TOO_LARGE, "a frame is at most " + MAX_MESSAGE + " bytes", Callback.NOOP);
            return;
        }
        if (!frame.isFin() || partial != null) {
            if (partial == null) partial = ByteBuffer.allocate(MAX_MESSAGE);
            partial.put(payload);
            if (!frame.isFin()) {
                callback.succeeded();
                session.demand();
                return;
            }
            payload = partial.flip();
            partial = null;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(payload).toString();
        } catch (CharacterCodingException e) {
            callback.succeeded();
            session.close(CloseStatus.BAD_PAYLOAD, "text frames are UTF-8", Callback.NOOP);
            return;
        }
        callback.succeeded();
        connection.onText(text, this::demandNext);
    }

    /** Asks for the next frame; a socket closed meanwhile (possible after a frame handed over) has none. */
    private void demandNext() {
        try {
            session.demand();
        } catch (RuntimeException e) {
            LOG.debug("No next frame on a closed stream socket", e);
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        if (connection != null) connection.onClosed();
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        if (connection != null) connection.onClosed();
        callback.succeeded();
    }

    // ---- StreamSocket

    @Override
    public void sendText(byte[] utf8, Consumer<Throwable> done, boolean batch) {
        session.sendFrame(new Frame(OpCode.TEXT).setPayload(ByteBuffer.wrap(utf8)),
                Callback.from(() -> done.accept(null), done::accept), batch);
    }

    @Override
    public void close(int code, String reason) {
        session.close(code, reason, Callback.NOOP);
    }

    @Override
    public boolean isOpen() {
        return session.isOutputOpen();
    }
}
