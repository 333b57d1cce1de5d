package io.switchboard.sdk.calls;

/** The relay refused or could not be reached; the call cannot go through it. */
public class MediaRelayException extends Exception {
    private static final long serialVersionUID = 1L;

    public MediaRelayException(String message) {
        super(message);
    }

    public MediaRelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
