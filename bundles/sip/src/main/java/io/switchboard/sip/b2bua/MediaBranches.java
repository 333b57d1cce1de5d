package io.switchboard.sip.b2bua;

import io.switchboard.sdk.calls.CallBridge.BridgedCall;
import io.switchboard.sdk.calls.CallBridge.Listener;

/**
 * The media of the targets a far leg rings, one branch each: the call's own offer for the first; for
 * each other an offer of its own from the calls feature (its own ports at the relay, so a target that
 * answers in the same instant and loses is never heard), or the call's offer again when it has none.
 * Not thread-safe: used under its call's lock.
 */
final class MediaBranches {
    private final BridgedCall call;
    private final Listener listener;
    private int count;

    MediaBranches(BridgedCall call, Listener listener) {
        this.call = call;
        this.listener = listener;
    }

    /** The media of the next target rung. */
    Media next() {
        if (count++ == 0) return new Media(null, call.offer());
        String name = Integer.toString(count);
        String offer = listener.branchOffer(name);
        return offer == null ? new Media(null, call.offer()) : new Media(name, offer);
    }

    /** A branch's media: its name for the calls feature (null: the call's own offer) and its offer. */
    record Media(String branch, String offer) {}
}
