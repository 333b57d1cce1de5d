/** Where features keep uploaded bytes: a streaming, content-addressed media store. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.switchboard.sdk.media;
