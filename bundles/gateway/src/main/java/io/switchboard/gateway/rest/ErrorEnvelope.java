package io.switchboard.gateway.rest;

import java.util.Map;

/** The body of every failure: {@code {"error":{"code":..,"message":..}}}. */
public final class ErrorEnvelope {
    private ErrorEnvelope() {}

    public static Map<String, Object> of(String code, String message) {
        return Map.of("error", Map.of("code", code, "message", message));
    }
}
