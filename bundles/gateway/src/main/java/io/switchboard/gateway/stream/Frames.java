package io.switchboard.gateway.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Server frames: {@code {"type":..,"cursor":"<n>" or null,"data":{..}}}. */
final class Frames {
    private Frames() {}

    static String event(ObjectMapper mapper, String type, Long cursor, Object data) {
        ObjectNode frame = mapper.createObjectNode();
        frame.put("type", type);
        if (cursor == null) frame.putNull("cursor"); else frame.put("cursor", Long.toString(cursor));
        frame.set("data", mapper.valueToTree(data));
        return frame.toString();
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
