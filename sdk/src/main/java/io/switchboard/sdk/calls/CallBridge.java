package io.switchboard.sdk.calls;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Carries calls to some accounts on another network: a company whose calls go to its own PBX over SIP
 * trunks. The calls feature asks every bridge whether it takes a callee; the one that does gets the
 * call instead of the callee's devices, with an offer in plain RTP (the media relay converts the
 * browser's WebRTC), and reports back through the {@link Listener}. The caller's client does not know.
 *
 * <p>Register implementations as OSGi services; they must be thread-safe and must not block the
 * calling thread on the network.
 */
@ConsumerType
public interface CallBridge {

    /** True when calls to this account go through this bridge now (e.g. the company has trunks and rules). */
    boolean bridges(String calleeAccountId);

    /** Starts the far leg of the call; answers come back on {@code listener}, on any thread. */
    void ring(BridgedCall call, Listener listener);

    /** The caller gave up before an answer, or hung up after it (CANCEL or BYE on the far leg). */
    void hangup(String callId);

    /**
     * A call handed to a bridge. {@code offer} is SDP the far leg speaks (plain RTP), for its first
     * branch; a far leg that rings more than one target asks {@link Listener#branchOffer} for the others.
     */
    record BridgedCall(String callId, String callerAccountId, String callerHandle, String calleeAccountId,
                       String offer, boolean video) {}

    /** What happens on the far leg. Each call gets one final answer: answered-then-ended, or failed. */
    interface Listener {
        /** The far end is ringing (SIP 180). */
        void ringing();

        /** Early media: the far end sends audio before answering (SIP 183 with SDP). */
        void earlyMedia(String sdp);

        /** Answered with this SDP (SIP 200). */
        void answered(String sdp);

        /** Never answered: {@code busy}, {@code declined}, {@code missed} (no answer), or {@code failed}. */
        void failed(String reason, String detail);

        /** The far end hung up an answered call (SIP BYE). */
        void ended();

        /**
         * An offer for one more branch of a far leg that rings several targets (the call's own offer
         * is for the first): media ports of its own at the relay, so what a target that answers and
         * loses sends never reaches the caller. {@code branch} is a name the bridge chooses, unique
         * within the call and not null; it names the branch in {@link #earlyMedia(String, String)} and
         * {@link #answered(String, String)}. Null when there is no separate media: use the call's offer.
         *
         * @since 1.3
         */
        default String branchOffer(String branch) {
            return null;
        }

        /**
         * Early media from a branch ({@code null}: the first, which has the call's own offer).
         *
         * @since 1.3
         */
        default void earlyMedia(String branch, String sdp) {
            earlyMedia(sdp);
        }

        /**
         * Answered on a branch ({@code null}: the first, which has the call's own offer).
         *
         * @since 1.3
         */
        default void answered(String branch, String sdp) {
            answered(sdp);
        }
    }
}
