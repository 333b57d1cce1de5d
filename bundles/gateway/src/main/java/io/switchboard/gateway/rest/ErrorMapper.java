package io.switchboard.gateway.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.switchboard.sdk.api.ApiException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsExtension;
import org.osgi.service.jakartars.whiteboard.propertytypes.JakartarsName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns every failure of every resource, and every unknown path, into the error envelope. */
@Component(service = ExceptionMapper.class)
@JakartarsExtension
@JakartarsName("switchboard.errors")
public class ErrorMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

    @Override
    public Response toResponse(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ApiException e) {
            Response.ResponseBuilder r = respond(e.status(), e.code(), e.getMessage());
            if (e.retryAfterSeconds() != null) r.header("Retry-After", e.retryAfterSeconds());
            return r.build();
        }
        if (t instanceof UnrecognizedPropertyException e) {
            return respond(400, "unknown_field", "Unknown field '" + e.getPropertyName() + "'.").build();
        }
        if (t instanceof JsonParseException || t instanceof JsonEOFException) {
            return respond(400, "malformed_json", "The body is not valid JSON.").build();
        }
        if (t instanceof JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            String where = path.isEmpty() ? "The body" : "Field '" + path + "'";
            return respond(400, "invalid_type", where + " has the wrong type or shape.").build();
        }
        if (t instanceof JsonProcessingException) {
            return respond(400, "malformed_json", "The body is not valid JSON.").build();
        }
        if (t instanceof WebApplicationException e) {
            int status = e.getResponse().getStatus();
            return respond(status, codeFor(status), messageFor(status)).build();
        }
        LOG.error("Unhandled failure", failure);
        return respond(500, "internal_error", "Something went wrong on our side.").build();
    }

    private static Throwable unwrap(Throwable t) {
        // A limit hit while Jackson reads the body arrives wrapped in Jackson's own exception.
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ApiException) return c;
            if (c.getCause() == c) break;
        }
        Throwable current = t;
        for (int i = 0; i < 5 && current.getCause() != null
                && !(current instanceof ApiException) && !(current instanceof JsonProcessingException)
                && !(current instanceof WebApplicationException); i++) {
            current = current.getCause();
        }
        if (current instanceof ApiException || current instanceof JsonProcessingException
                || current instanceof WebApplicationException) {
            return current;
        }
        return t;
    }

    static Response.ResponseBuilder respond(int status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(ErrorEnvelope.of(code, message));
    }

    static String codeFor(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            case 429 -> "rate_limited";
            default -> status >= 500 ? "internal_error" : "http_" + status;
        };
    }

    static String messageFor(int status) {
        return switch (status) {
            case 400 -> "The request is not valid.";
            case 401 -> "A valid bearer token is required.";
            case 403 -> "That is not allowed.";
            case 404 -> "Nothing is here.";
            case 405 -> "That method is not allowed on this path.";
            case 406 -> "No acceptable representation.";
            case 413 -> "The body is too large.";
            case 415 -> "That content type is not supported here.";
            default -> "The request failed.";
        };
    }
}
