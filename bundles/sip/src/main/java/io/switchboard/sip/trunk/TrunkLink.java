package io.switchboard.sip.trunk;

import java.util.concurrent.CompletableFuture;

/** What keeps one trunk in touch with its PBX: a {@link Registration} or a {@link Probe}. */
interface TrunkLink {

    /** Where the link's trunk stands, told whenever that changes (see {@link TrunkStatus}). */
    @FunctionalInterface
    interface Report {
        void status(String status, String lastError);
    }

    /** Begins at once, in the background. */
    void start();

    /** Ends it (un-REGISTERs a registration); done when what it sent for that has an outcome. Reports nothing more. */
    CompletableFuture<Void> stop();
}
