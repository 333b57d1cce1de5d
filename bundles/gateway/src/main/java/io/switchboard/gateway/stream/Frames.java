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

    private static final byte[] TYPE_OPEN = utf8("{\"type\":\"");
    private static final byte[] CURSOR_OPEN = utf8("\",\"cursor\":");
    private static final byte[] NO_CURSOR = utf8("null");
    private static final byte[] DATA_OPEN = utf8(",\"data\":");

    /**
     * A frame as the socket sends it (UTF-8) from data already written as UTF-8 JSON; the cursor holds
     * only {@code [a-z0-9.]}. The frame is one array, written in place: the data is copied once, and
     * a type of plain ASCII (every type the server sends) and the cursor are copied char by char.
     */
    static byte[] event(String type, Cursor cursor, byte[] dataUtf8) {
        byte[] escapedType = plainAscii(type) ? null : ENCODER.quoteAsUTF8(type);
        String at = cursor == null ? null : cursor.toString();
        int size = TYPE_OPEN.length + (escapedType == null ? type.length() : escapedType.length)
                + CURSOR_OPEN.length + (at == null ? NO_CURSOR.length : at.length() + 2)
                + DATA_OPEN.length + dataUtf8.length + 1;
        byte[] frame = new byte[size];
        int i = put(frame, 0, TYPE_OPEN);
        i = escapedType == null ? putAscii(frame, i, type) : put(frame, i, escapedType);
        i = put(frame, i, CURSOR_OPEN);
        if (at == null) {
            i = put(frame, i, NO_CURSOR);
        } else {
            frame[i++] = '"';
            i = putAscii(frame, i, at);
            frame[i++] = '"';
        }
        i = put(frame, i, DATA_OPEN);
        i = put(frame, i, dataUtf8);
        frame[i] = '}';
        return frame;
    }

    /** Printable ASCII that JSON takes inside quotes as it is. */
    private static boolean plainAscii(String s) {
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
        }
        return true;
    }

    private static int put(byte[] frame, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, frame, at, bytes.length);
        return at + bytes.length;
    }

    /** {@code s} holds ASCII only: one byte per char. */
    private static int putAscii(byte[] frame, int at, String s) {
        for (int k = 0; k < s.length(); k++) frame[at + k] = (byte) s.charAt(k);
        return at + s.length();
    }

    /** A frame without a cursor whose data is written here (or is {@link io.switchboard.sdk.stream.Json} already). */
    static byte[] event(ObjectMapper mapper, String type, Object data) {
        return event(type, null, data(mapper, data));
    }

    /** Frame data as UTF-8 JSON; data already written ({@link io.switchboard.sdk.stream.Json}) as it is. */
    static byte[] data(ObjectMapper mapper, Object data) {
        return data instanceof io.switchboard.sdk.stream.Json json ? utf8(json.text()) : write(mapper::writeValueAsBytes, data);
    }

    /** Frame data as JSON text, as it is stored; data already written as it is. */
    static String dataText(ObjectMapper mapper, Object data) {
        return data instanceof io.switchboard.sdk.stream.Json json ? json.text() : write(mapper::writeValueAsString, data);
    }

    private interface Writer<T> {
        T write(Object data) throws com.fasterxml.jackson.core.JsonProcessingException;
    }

    private static <T> T write(Writer<T> writer, Object data) {
        try {
            return writer.write(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Frame data is not writable as JSON", e);
        }
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
