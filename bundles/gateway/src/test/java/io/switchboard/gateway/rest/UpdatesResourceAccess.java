package io.switchboard.gateway.rest;

/** Lets tests in other packages reach the long-poll parameter parsing. */
public final class UpdatesResourceAccess {
    private UpdatesResourceAccess() {}

    public static long cursor(String since) { return UpdatesResource.parseCursor(since); }

    public static int timeout(String timeout) { return UpdatesResource.parseTimeout(timeout); }
}
