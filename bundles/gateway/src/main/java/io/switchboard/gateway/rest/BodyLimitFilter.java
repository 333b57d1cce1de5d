package io.switchboard.gateway.rest;

import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.api.BodyLimit;
import io.switchboard.sdk.api.Limits;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;

/**
 * Limits request bodies: {@link Limits#MAX_JSON_BODY} unless the resource method or class carries
 * {@link BodyLimit}. A declared Content-Length over the limit is refused before reading; a chunked
 * body is cut off with 413 as soon as it passes the limit.
 */
@Component(service = ContainerRequestFilter.class)
@JakartarsExtension
@JakartarsName("switchboard.bodylimit")
@Priority(Priorities.ENTITY_CODER)
public class BodyLimitFilter implements ContainerRequestFilter {

    @Context
    private ResourceInfo resourceInfo;

    @Override
    public void filter(ContainerRequestContext request) {
        long limit = limitFor(resourceInfo);
        String declared = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > limit) throw tooLarge(limit);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("invalid_request", "Content-Length is not a number.");
            }
        }
        if (request.hasEntity()) {
            request.setEntityStream(new LimitedStream(request.getEntityStream(), limit));
        }
    }

    private static long limitFor(ResourceInfo info) {
        if (info == null) return Limits.MAX_JSON_BODY;
        Method m = info.getResourceMethod();
        if (m != null && m.isAnnotationPresent(BodyLimit.class)) return m.getAnnotation(BodyLimit.class).value();
        Class<?> c = info.getResourceClass();
        if (c != null && c.isAnnotationPresent(BodyLimit.class)) return c.getAnnotation(BodyLimit.class).value();
        return Limits.MAX_JSON_BODY;
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "body_too_large", "The body is larger than " + limit + " bytes.");
    }

    /** Counts bytes as they are read and fails past the limit, so nothing is buffered whole. */
    static final class LimitedStream extends FilterInputStream {
        private final long limit;
        private long count;

        LimitedStream(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            if (n > 0) count(n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) {
            count += n;
            if (count > limit) throw tooLarge(limit);
        }
    }
}
