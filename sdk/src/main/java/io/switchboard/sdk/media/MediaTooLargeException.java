package io.switchboard.sdk.media;

import java.io.IOException;

/** The upload held more bytes than allowed; nothing was kept. */
public class MediaTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long limit;

    public MediaTooLargeException(long limit) {
        super("The upload is larger than " + limit + " bytes.");
        this.limit = limit;
    }

    public long limit() { return limit; }
}
