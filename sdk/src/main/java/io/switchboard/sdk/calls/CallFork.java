package io.switchboard.sdk.calls;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Rings an account's phones on another network (the SIP phones a user registered) along with the
 * account's own devices. The calls feature asks every fork whether it reaches the callee; those that do
 * get the call with an offer in plain RTP, and the first answer anywhere wins: the others are told to
 * stop with {@link #hangup}. A fork that fails (nobody there answers, a phone is busy) leaves the call
 * ringing elsewhere.
 *
 * <p>Register implementations as OSGi services; they must be thread-safe and must not block the
 * calling thread on the network.
 */
@ConsumerType
public interface CallFork {
    /** True when the account has phones this fork can ring now. */
    boolean reaches(String accountId);

    /** Rings the callee's phones; what happens comes back on {@code listener}, on any thread. */
    void ring(CallBridge.BridgedCall call, CallBridge.Listener listener);

    /** Stops ringing (answered elsewhere, or the caller gave up), or ends the call a phone answered. */
    void hangup(String callId);
}
