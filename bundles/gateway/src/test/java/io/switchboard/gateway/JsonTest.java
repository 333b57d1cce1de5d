package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's JSON is strict: a value of the wrong type is an error, never coerced. */
class JsonTest {
    record Login(String handle, String password) {}
    record Limit(int limit, boolean flag) {}
    record When(Instant at) {}

    private final ObjectMapper mapper = Json.newMapper();

    @Test
    void bindsWellTypedInput() throws Exception {
        Login l = mapper.readValue("{\"handle\":\"alice\",\"password\":\"pw\"}", Login.class);
        assertEquals("alice", l.handle());
    }

    @Test
    void operatorObjectsAndArraysAreNotStrings() {
        assertThrows(MismatchedInputException.class,
                () -> mapper.readValue("{\"handle\":{\"$gt\":\"\"},\"password\":\"x\"}", Login.class));
        assertThrows(MismatchedInputException.class,
                () -> mapper.readValue("{\"handle\":[\"alice\"],\"password\":\"x\"}", Login.class));
    }

    @Test
    void scalarsAreNotCoerced() {
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"handle\":42}", Login.class));
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"handle\":true}", Login.class));
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"limit\":\"5\"}", Limit.class));
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"flag\":\"true\"}", Limit.class));
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"limit\":null}", Limit.class));
    }

    @Test
    void unknownDuplicateAndTrailingInputIsRefused() {
        assertThrows(UnrecognizedPropertyException.class,
                () -> mapper.readValue("{\"handle\":\"a\",\"admin\":true}", Login.class));
        assertThrows(JsonParseException.class,
                () -> mapper.readValue("{\"handle\":\"a\",\"handle\":\"b\"}", Login.class));
        assertThrows(MismatchedInputException.class, () -> mapper.readValue("{\"handle\":\"a\"} {}", Login.class));
    }

    @Test
    void timesAreIsoStrings() throws Exception {
        assertEquals("{\"at\":\"2026-01-02T03:04:05Z\"}",
                mapper.writeValueAsString(new When(Instant.parse("2026-01-02T03:04:05Z"))));
        assertEquals("{\"a\":1}", mapper.writeValueAsString(Map.of("a", 1)));
    }
}
