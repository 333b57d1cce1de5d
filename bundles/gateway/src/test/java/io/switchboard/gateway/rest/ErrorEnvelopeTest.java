package io.switchboard.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ErrorEnvelopeTest {
    @Test
    void writesTheEnvelopeWithItsTextEscaped() throws Exception {
        RecordedResponse r = new RecordedResponse();
        ErrorEnvelope.write(r.response(), 400, "websocket_required", "Open \"this\" path\\as a WebSocket.\n");
        assertEquals(400, r.status);
        assertEquals("application/json", r.headers.get("Content-Type"));
        JsonNode body = new ObjectMapper().readTree(r.body.toByteArray());
        assertEquals("websocket_required", body.path("error").path("code").asText());
        assertEquals("Open \"this\" path\\as a WebSocket.\n", body.path("error").path("message").asText());
        assertEquals(1, body.size(), body.toString());
    }
}
