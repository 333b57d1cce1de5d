/**
 * Calls: the media relay SPI (a relay sits in the media path of a call; the calls feature hands it each
 * offer and answer and passes on the SDP it returns) and the call bridge SPI (calls to some accounts,
 * companies with a PBX, are carried on by a telephony leg instead of ringing the account's devices),
 * the fork SPI (an account's SIP phones ring along with its own devices) and the gateway the calls
 * feature provides for calls that start on another network (a PBX calling a user, a SIP phone calling
 * a handle).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.3.0")
package io.switchboard.sdk.calls;
