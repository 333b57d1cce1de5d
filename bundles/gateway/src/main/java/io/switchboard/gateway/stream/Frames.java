package io.switchboard.gateway.stream;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Server frames: {@code {"type":..,"cursor":"<n>" or null,"data":{..}}}. */
final class Frames {
    private Frames() {}

    private static final JsonStringEncoder ENCODER = JsonStringEncoder.getInstance();

    /** A frame from already serialised data; the cursor holds only {@code [a-z0-9.]}. */
    static String event(String type, Cursor cursor, String dataJson) {
        StringBuilder b = new StringBuilder(dataJson.length() + type.length() + 64);
        b.append("{\"type\":\"");
        ENCODER.quoteAsString(type, b);
        b.append("\",\"cursor\":");
        if (cursor == null) b.append("null"); else b.append('"').append(cursor).append('"');
        return b.append(",\"data\":").append(dataJson).append('}').toString();
    }

    static String event(ObjectMapper mapper, String type, Object data) {
        return event(type, null, data(mapper, data));
    }

    /** Frame data as JSON; data already written ({@link io.switchboard.sdk.stream.Json}) as it is. */
    static String data(ObjectMapper mapper, Object data) {
        if (data instanceof io.switchboard.sdk.stream.Json json) return json.text();
        try {
            return mapper.writeValueAsString(data);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Frame data is not writable as JSON", e);
        }
    }

    static String error(ObjectMapper mapper, String code, String message) {
        ObjectNode frame = mapper.createObjectNode();
        frame.put("type", "error");
        frame.putNull("cursor");
        ObjectNode data = frame.putObject("data");
        data.put("code", code);
        data.put("message", message);
        return frame.toString();
    }
}
