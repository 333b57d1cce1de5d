package io.switchboard.gateway.stream;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** Server frames: {@code {"type":..,"cursor":"<n>" or null,"data":{..}}}. */
final class Frames {
    private Frames() {}

    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    /** The answer to a {@code ping}; frames are never changed once built, so every socket sends this one. */
    static final byte[] PONG = utf8("{\"type\":\"pong\",\"cursor\":null,\"data\":{}}");

    /**
     * A frame as the socket sends it (UTF-8) from data already written as UTF-8 JSON; the cursor holds
     * only {@code [a-z0-9.]}. The data is copied once, into the frame.
     */
    static byte[] event(String type, Cursor cursor, byte[] dataUtf8) {
        StringBuilder head = new StringBuilder(type.length() + 48);
        head.append("{\"type\":\"");
        ENCODER.quoteAsString(type, head);
        head.append("\",\"cursor\":");
        if (cursor == null) head.append("null"); else head.append('"').append(cursor).append('"');
        byte[] h = head.append(",\"data\":").toString().getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[h.length + dataUtf8.length + 1];
        System.arraycopy(h, 0, frame, 0, h.length);
        System.arraycopy(dataUtf8, 0, frame, h.length, dataUtf8.length);
        frame[frame.length - 1] = '}';
        return frame;
    }

    /** A frame without a cursor whose data is written here (or is {@link io.switchboard.sdk.stream.Json} already). */
    static byte[] event(ObjectMapper mapper, String type, Object data) {
        return event(type, null, data(mapper, data));
    }

    /** Frame data as UTF-8 JSON; data already written ({@link io.switchboard.sdk.stream.Json}) as it is. */
    static byte[] data(ObjectMapper mapper, Object data) {
        if (data instanceof io.switchboard.sdk.stream.Json json) return utf8(json.text());
        try {
            return mapper.writeValueAsBytes(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw unwritable(e);
        }
    }

    /** Frame data as JSON text, as it is stored; data already written as it is. */
    static String dataText(ObjectMapper mapper, Object data) {
        if (data instanceof io.switchboard.sdk.stream.Json json) return json.text();
        try {
            return mapper.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw unwritable(e);
        }
    }

    private static IllegalArgumentException unwritable(Exception e) {
        return new IllegalArgumentException("Frame data is not writable as JSON", e);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] error(ObjectMapper mapper, String code, String message) {
        ObjectNode frame = mapper.createObjectNode();
        frame.put("type", "error");
        frame.putNull("cursor");
        ObjectNode data = frame.putObject("data");
        data.put("code", code);
        data.put("message", message);
        return utf8(frame.toString());
    }
}
