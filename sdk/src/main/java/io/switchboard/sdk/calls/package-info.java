/**
 * Calls: the media relay SPI. A relay sits in the media path of a call; the calls feature hands it each
 * offer and answer and passes on the SDP it returns.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.switchboard.sdk.calls;
