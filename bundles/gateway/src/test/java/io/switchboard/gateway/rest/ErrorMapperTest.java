package io.switchboard.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonMappingException;
import io.switchboard.gateway.Json;
import io.switchboard.sdk.api.ApiException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorMapperTest {
    record Body(String handle) {}

    private final ErrorMapper mapper = new ErrorMapper();

    @SuppressWarnings("unchecked")
    private static String code(Response r) {
        return ((Map<String, Map<String, String>>) r.getEntity()).get("error").get("code");
    }

    @Test
    void apiExceptionsKeepStatusCodeAndRetryAfter() {
        Response r = mapper.toResponse(new ApiException(429, "rate_limited", "Slow down.", 30L));
        assertEquals(429, r.getStatus());
        assertEquals("rate_limited", code(r));
        assertEquals("30", r.getHeaderString("Retry-After"));
    }

    @Test
    void jsonFailuresAre400WithTheirKind() {
        Throwable wrongType = catchThrowable(() -> Json.newMapper().readValue("{\"handle\":{}}", Body.class));
        assertEquals("invalid_type", code(mapper.toResponse(wrongType)));
        Throwable unknown = catchThrowable(() -> Json.newMapper().readValue("{\"x\":1}", Body.class));
        assertEquals("unknown_field", code(mapper.toResponse(unknown)));
        Throwable broken = catchThrowable(() -> Json.newMapper().readValue("{\"handle\":", Body.class));
        assertEquals("malformed_json", code(mapper.toResponse(broken)));
    }

    @Test
    void aLimitHitInsideJacksonIsStillA413() {
        JsonMappingException wrapped = new JsonMappingException(null, "wrapped",
                new ApiException(413, "body_too_large", "Too large."));
        Response r = mapper.toResponse(wrapped);
        assertEquals(413, r.getStatus());
        assertEquals("body_too_large", code(r));
    }

    @Test
    void anythingElseIsA500WithoutDetails() {
        Response r = mapper.toResponse(new IllegalStateException("database password is hunter2"));
        assertEquals(500, r.getStatus());
        assertEquals("internal_error", code(r));
        assertEquals(false, r.getEntity().toString().contains("hunter2"));
    }

    interface Failing {
        void run() throws Exception;
    }

    private static Throwable catchThrowable(Failing f) {
        try {
            f.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }
}
