/** The per-account update stream: publish events to clients, handle client frame types. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.5.0")
package io.switchboard.sdk.stream;
