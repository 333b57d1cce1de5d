package io.switchboard.accounts.rest;

import io.switchboard.sdk.api.ApiException;

/** A JSON {@code null} body passes the gateway's reader; it is as wrong as no body. */
final class Bodies {
    private Bodies() {}

    static <T> T require(T body) {
        if (body == null) throw ApiException.badRequest("missing_body", "A JSON object is required.");
        return body;
    }
}
