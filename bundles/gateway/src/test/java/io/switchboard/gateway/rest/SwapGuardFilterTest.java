package io.switchboard.gateway.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/** The filter's answers, on a response recorded in memory. */
class SwapGuardFilterTest {
    private final SwapGuardFilter filter = new SwapGuardFilter();
    private final HttpServletRequest request = request();

    @Test
    void aBareServerErrorFromInsideBecomesA503Envelope() throws Exception {
        RecordedResponse r = new RecordedResponse();
        filter.doFilter(request, r.response(), (req, res) -> ((HttpServletResponse) res).sendError(500, "Request failed."));
        assertUnavailable(r);
    }

    @Test
    void anExceptionOutOfTheChainBecomesA503Envelope() throws Exception {
        RecordedResponse r = new RecordedResponse();
        filter.doFilter(request, r.response(), (req, res) -> {
            throw new ServletException("no way to make the resource");
        });
        assertUnavailable(r);
    }

    @Test
    void clientErrorsAndAnswersGoThroughAsTheyAre() throws Exception {
        RecordedResponse notFound = new RecordedResponse();
        filter.doFilter(request, notFound.response(), (req, res) -> ((HttpServletResponse) res).sendError(404));
        assertEquals(404, notFound.status);
        assertEquals(0, notFound.body.size());

        RecordedResponse ok = new RecordedResponse();
        filter.doFilter(request, ok.response(), (req, res) -> ((HttpServletResponse) res).setStatus(200));
        assertEquals(200, ok.status);
        assertEquals(null, ok.headers.get("Retry-After"));
    }

    @Test
    void aFailureAfterTheAnswerBeganIsNotPatchedOver() {
        RecordedResponse r = new RecordedResponse();
        r.committed = true;
        RuntimeException failure = new IllegalStateException("half written");
        FilterChain chain = (req, res) -> {
            throw failure;
        };
        assertSame(failure, assertThrows(IllegalStateException.class, () -> filter.doFilter(request, r.response(), chain)));
        assertEquals(0, r.body.size());
    }

    private static void assertUnavailable(RecordedResponse r) throws Exception {
        assertEquals(503, r.status);
        assertEquals("1", r.headers.get("Retry-After"));
        assertTrue(r.headers.get("Content-Type").startsWith("application/json"), r.headers.toString());
        JsonNode body = new ObjectMapper().readTree(r.body.toByteArray());
        assertEquals("unavailable", body.path("error").path("code").asText(), body.toString());
        assertTrue(body.path("error").path("message").asText().length() > 10, body.toString());
    }

    private static HttpServletRequest request() {
        return (HttpServletRequest) Proxy.newProxyInstance(SwapGuardFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getMethod" -> "GET";
                    case "getRequestURI" -> "/api/v1/conversations";
                    default -> null;
                });
    }
}
