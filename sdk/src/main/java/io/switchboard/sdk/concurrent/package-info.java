/** Small helpers for the threads a feature bundle starts and must stop in its deactivation. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.switchboard.sdk.concurrent;
