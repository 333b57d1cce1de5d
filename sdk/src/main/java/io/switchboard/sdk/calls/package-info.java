/**
 * Calls: the media relay SPI (a relay sits in the media path of a call; the calls feature hands it each
 * offer and answer and passes on the SDP it returns) and the call bridge SPI (calls to some accounts,
 * companies with a PBX, are carried on by a telephony leg instead of ringing the account's devices).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.switchboard.sdk.calls;
