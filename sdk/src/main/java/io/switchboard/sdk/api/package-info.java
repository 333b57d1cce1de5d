/** Errors and limits shared by every REST endpoint: a failure becomes {"error":{"code","message"}}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.switchboard.sdk.api;
