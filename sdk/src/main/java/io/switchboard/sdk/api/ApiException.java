package io.switchboard.sdk.api;

/**
 * A failure a client should see: the gateway turns it into the HTTP status and the envelope
 * {@code {"error":{"code":code,"message":message}}}. Throw it from any resource.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final Long retryAfterSeconds;

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, String code, String message, Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() { return status; }
    public String code() { return code; }
    /** Seconds for the Retry-After header, or null. */
    public Long retryAfterSeconds() { return retryAfterSeconds; }

    public static ApiException badRequest(String code, String message) { return new ApiException(400, code, message); }
    public static ApiException unauthorized(String message) { return new ApiException(401, "unauthorized", message); }
    public static ApiException forbidden(String code, String message) { return new ApiException(403, code, message); }
    public static ApiException notFound(String message) { return new ApiException(404, "not_found", message); }
    public static ApiException conflict(String code, String message) { return new ApiException(409, code, message); }
}
