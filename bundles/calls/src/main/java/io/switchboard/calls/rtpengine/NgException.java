package io.switchboard.calls.rtpengine;

import java.io.IOException;

/** rtpengine answered {@code "result": "error"}; the message is its {@code error-reason}. */
public class NgException extends IOException {
    private static final long serialVersionUID = 1L;

    public NgException(String reason) {
        super(reason);
    }
}
