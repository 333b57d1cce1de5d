package io.switchboard.examples.hello;

import com.fasterxml.jackson.databind.JsonNode;
import io.switchboard.sdk.stream.FrameHandler;
import io.switchboard.sdk.stream.StreamSession;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Component;

/** Answers the client frame {@code {"type":"hello.ping","n":...}} with a {@code hello.pong} event. */
@Component(property = FrameHandler.FRAME_TYPE + "=hello.ping")
public class HelloPing implements FrameHandler {
    private final String greeting = Greeting.load();

    @Override
    public void handle(StreamSession session, JsonNode frame) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("hello", session.principal().handle());
        data.put("greeting", greeting);
        JsonNode n = frame.get("n");
        if (n != null && n.isValueNode()) data.put("n", n.asText());
        session.send("hello.pong", data);
    }
}
