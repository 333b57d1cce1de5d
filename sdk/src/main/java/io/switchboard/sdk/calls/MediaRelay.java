package io.switchboard.sdk.calls;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A media relay: rewrites the SDP of a call so both legs send their media to it, and converts between
 * what the legs speak (WebRTC in a browser, plain RTP at a PBX). One relay session per call id, made
 * by {@link #offer}, completed by {@link #answer}, removed by {@link #delete} at every end of the call.
 *
 * <p>Register an implementation as an OSGi service; the calls feature uses the one with the highest
 * service ranking and sends media directly between the parties when there is none. Implementations
 * must be thread-safe. The call id and tags are opaque strings chosen by the caller of this SPI.
 */
@ConsumerType
public interface MediaRelay {

    /** What a leg of the call speaks. */
    enum Profile {
        /** ICE, DTLS-SRTP, RTP/RTCP multiplexed: a browser or a WebRTC app. */
        WEBRTC,
        /** Plain RTP/AVP (G.711, G.722, RFC 4733 events): a SIP phone or a PBX. */
        RTP
    }

    /**
     * An offer made by the leg {@code fromTag} to the leg {@code toTag} ({@code null} for the first offer
     * of a call, before the other leg is known; a later offer, e.g. video switched on, names both).
     * Returns the offer to hand to the other leg, which speaks {@code towards}.
     */
    String offer(String callId, String fromTag, String toTag, String sdp, Profile towards) throws MediaRelayException;

    /**
     * The answer of the leg {@code toTag} to the offer made by {@code fromTag}. Returns the answer to
     * hand back to the offering leg, which speaks {@code towards}.
     */
    String answer(String callId, String fromTag, String toTag, String sdp, Profile towards) throws MediaRelayException;

    /**
     * The first offer of a call whose far leg forks (rings several phones or extensions at once), made
     * towards one branch of it: the leg {@code toTag}, a tag of its own per branch. Each branch gets
     * media ports of its own; {@link #branchAnswer} joins the offering leg to one of them. A relay
     * without branches gives every branch the same media (the default: {@link #offer}).
     *
     * @since 1.3
     */
    default String branchOffer(String callId, String fromTag, String toTag, String sdp, Profile towards)
            throws MediaRelayException {
        return offer(callId, fromTag, null, sdp, towards);
    }

    /**
     * The answer of the branch {@code toTag} (see {@link #branchOffer}), early media or final: from now
     * on the offering leg's media goes to and comes from that branch only, so what another branch sends
     * (a phone that answered too and lost) never reaches it.
     *
     * @since 1.3
     */
    default String branchAnswer(String callId, String fromTag, String toTag, String sdp, Profile towards)
            throws MediaRelayException {
        return answer(callId, fromTag, toTag, sdp, towards);
    }

    /** Ends the relay session of the call; does nothing when there is none. Never throws. */
    void delete(String callId);
}
