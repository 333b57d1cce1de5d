package io.switchboard.gateway.rest;

import io.switchboard.gateway.stream.Cursor;

/** Lets tests in other packages reach the long-poll parameter parsing. */
public final class UpdatesResourceAccess {
    private UpdatesResourceAccess() {}

    public static Cursor cursor(String since) { return UpdatesResource.parseCursor(since); }

    public static int timeout(String timeout) { return UpdatesResource.parseTimeout(timeout); }
}
