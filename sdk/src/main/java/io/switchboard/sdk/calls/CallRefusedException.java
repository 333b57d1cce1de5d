package io.switchboard.sdk.calls;

/**
 * A call that cannot ring, with a reason a telephony leg maps to its own answer (SIP in brackets):
 * {@code not_found} (404), {@code refused}: the callee blocks the caller (603), {@code busy} (486),
 * {@code offline}: nothing of the callee's can ring (480), {@code unavailable}: the media relay is
 * missing or refused (503), {@code invalid}: the offer or the parties are not acceptable (488).
 */
public class CallRefusedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String reason;

    public CallRefusedException(String reason, String message) {
        super(message);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
