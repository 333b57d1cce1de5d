package io.switchboard.gateway.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.gateway.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;

/** The body of every failure: {@code {"error":{"code":..,"message":..}}}. */
public final class ErrorEnvelope {
    private static final ObjectMapper MAPPER = Json.newMapper();

    private ErrorEnvelope() {}

    public static Map<String, Object> of(String code, String message) {
        return Map.of("error", Map.of("code", code, "message", message));
    }

    /** Answers a servlet request that no REST resource serves with {@code status} and the envelope. */
    public static void write(HttpServletResponse response, int status, String code, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(MAPPER.writeValueAsBytes(of(code, message)));
    }
}
