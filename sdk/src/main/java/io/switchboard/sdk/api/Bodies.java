package io.switchboard.sdk.api;

/** Request bodies of JSON endpoints. */
public final class Bodies {
    private Bodies() {}

    /**
     * The body, or a 400 {@code missing_body}: a JSON {@code null} (or no body at all) passes the
     * gateway's reader as {@code null}, and it is as wrong as no body.
     */
    public static <T> T require(T body) {
        if (body == null) throw ApiException.badRequest("missing_body", "A JSON object is required.");
        return body;
    }
}
