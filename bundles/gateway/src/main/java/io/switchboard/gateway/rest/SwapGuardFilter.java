package io.switchboard.gateway.rest;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardFilterPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a request that fails outside every resource and exception mapper with the error envelope
 * instead of the servlet container's HTML page. That happens in the moment a feature bundle stops or
 * starts: the REST whiteboard still routes to a resource whose service is already gone (Jersey then
 * finds no way to make it, its exception mapping fails with it, and it sends a bare 500) while it
 * rebuilds its application. The answer is {@code 503} with {@code Retry-After: 1}: the request was
 * not served, nothing was written, and asked again a moment later it meets the new state (a stopped
 * feature's paths answer 404). Failures inside a resource never get here: {@link ErrorMapper} answers
 * them.
 */
@Component(service = Filter.class)
@HttpWhiteboardFilterPattern("/api/*")
@HttpWhiteboardFilterName("switchboard-swap-guard")
public class SwapGuardFilter implements Filter {
    private static final int RETRY_AFTER_SECONDS = 1;
    private static final Logger LOG = LoggerFactory.getLogger(SwapGuardFilter.class);

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http) || !(response instanceof HttpServletResponse out)) {
            chain.doFilter(request, response);
            return;
        }
        try {
            chain.doFilter(request, new Guarded(http, out));
        } catch (ServletException | RuntimeException failure) {
            if (out.isCommitted()) throw failure;
            LOG.debug("The failure", failure);
            unavailable(http, out, String.valueOf(failure));
        }
    }

    /** Turns the container's error page for a failure into the envelope. */
    private static final class Guarded extends HttpServletResponseWrapper {
        private final HttpServletRequest request;

        Guarded(HttpServletRequest request, HttpServletResponse response) {
            super(response);
            this.request = request;
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            if (status < 500 || isCommitted()) {
                super.sendError(status, message);
            } else {
                unavailable(request, (HttpServletResponse) getResponse(), status + " " + message);
            }
        }

        @Override
        public void sendError(int status) throws IOException {
            sendError(status, "");
        }
    }

    private static void unavailable(HttpServletRequest request, HttpServletResponse http, String why) throws IOException {
        LOG.warn("{} {} failed outside the REST resources (a feature starting or stopping?): {}",
                request.getMethod(), request.getRequestURI(), why);
        http.resetBuffer();
        http.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        http.setHeader("Cache-Control", "no-store");
        ErrorEnvelope.write(http, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "unavailable",
                "This part of the service is being updated; try again in a moment.");
    }
}
