package io.switchboard.sdk.calls;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Calls that start on another network: a company's PBX calling a user by handle over a trunk, or a
 * user's SIP phone calling a handle. The calls feature provides this service; a telephony feature hands
 * it each call it takes in, with the caller's offer in plain RTP, and hears the outcome on a
 * {@link CallBridge.Listener}: ringing, early media, the answer (SDP in plain RTP), a failure (see
 * {@link CallRefusedException#reason()} for the reasons), or the end of an answered call.
 *
 * <p>The callee's own devices ring as for any call (through the media relay for browsers), and so do
 * the phones any {@link CallFork} reaches; a callee reached through a {@link CallBridge} (a company)
 * is bridged there. Listener methods are called on the calls feature's own thread, never while the
 * gateway is being called, so a listener may call back into the gateway.
 */
@ProviderType
public interface CallGateway {
    /**
     * Starts a call to {@code call.calleeAccountId()} and returns its id. Refused at once (nothing
     * rings, the listener hears nothing) with a reason when it cannot ring; a callee who is offline
     * gets a missed call then.
     */
    String call(IncomingCall call, CallBridge.Listener listener) throws CallRefusedException;

    /** The caller gave up (CANCEL) or hung up (BYE); does nothing for a call already over. */
    void hangup(String callId);

    /** True when the account is in an answered call now (a ring group that skips busy members asks). */
    boolean inCall(String accountId);

    /**
     * A call from another network. {@code callerAccountId} is the account it counts as coming from: the
     * company that owns the trunk, or the user whose SIP phone it is; {@code offer} is SDP in plain RTP.
     */
    record IncomingCall(String callerAccountId, String calleeAccountId, String offer, boolean video) {}
}
