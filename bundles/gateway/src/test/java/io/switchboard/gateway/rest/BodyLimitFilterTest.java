package io.switchboard.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.sdk.api.ApiException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BodyLimitFilterTest {

    @Test
    void passesABodyUpToTheLimit() throws Exception {
        InputStream in = new BodyLimitFilter.LimitedStream(new ByteArrayInputStream(new byte[100]), 100);
        assertEquals(100, in.readAllBytes().length);
    }

    @Test
    void failsWithA413OnceTheLimitIsPassed() {
        InputStream in = new BodyLimitFilter.LimitedStream(new ByteArrayInputStream(new byte[101]), 100);
        ApiException e = assertThrows(ApiException.class, in::readAllBytes);
        assertEquals(413, e.status());
        assertEquals("body_too_large", e.code());
    }

    @Test
    void countsSingleByteReadsAndSkips() throws Exception {
        InputStream in = new BodyLimitFilter.LimitedStream(new ByteArrayInputStream(new byte[10]), 5);
        in.skip(5);
        assertThrows(ApiException.class, in::read);
    }
}
