package io.switchboard.bench.chat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * A WebSocket that speaks whole text messages, on Jetty's WebSocket core (both ends: the relay's
 * server sockets and the load generator's client sockets). Fragments are joined; pings answered.
 */
abstract class TextSocket implements FrameHandler {
    private volatile CoreSession session;
    private ByteArrayOutputStream fragments;

    /** A whole text message arrived (on a Jetty thread; keep it short). */
    protected abstract void onText(String text);

    protected void onOpened() {}

    protected void onClosedBy(int code) {}

    final void send(String text) {
        CoreSession s = session;
        if (s != null) s.sendFrame(new Frame(OpCode.TEXT, text), Callback.NOOP, false);
    }

    final void close() {
        CoreSession s = session;
        if (s != null && s.isOutputOpen()) s.close(CloseStatus.NORMAL, "done", Callback.NOOP);
    }

    @Override
    public final void onOpen(CoreSession coreSession, Callback callback) {
        session = coreSession;
        callback.succeeded();
        onOpened();
        coreSession.demand();
    }

    @Override
    public final void onFrame(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        try {
            if (op == OpCode.TEXT && frame.isFin()) {
                onText(frame.getPayloadAsUTF8());
            } else if (op == OpCode.TEXT || op == OpCode.CONTINUATION) {
                if (fragments == null) fragments = new ByteArrayOutputStream();
                fragments.writeBytes(copy(frame.getPayload()));
                if (frame.isFin()) {
                    String text = fragments.toString(StandardCharsets.UTF_8);
                    fragments = null;
                    onText(text);
                }
            } else if (op == OpCode.PING) {
                // the payload's buffer goes back to the pool when the callback completes: copy it
                session.sendFrame(new Frame(OpCode.PONG).setPayload(copy(frame.getPayload())), Callback.NOOP, false);
            }
        } finally {
            callback.succeeded();
        }
        if (op != OpCode.CLOSE) session.demand();
    }

    private static byte[] copy(ByteBuffer payload) {
        if (payload == null) return new byte[0];
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return bytes;
    }

    @Override
    public final void onError(Throwable cause, Callback callback) {
        callback.succeeded();
    }

    @Override
    public final void onClosed(CloseStatus closeStatus, Callback callback) {
        session = null;
        callback.succeeded();
        onClosedBy(closeStatus.getCode());
    }
}
