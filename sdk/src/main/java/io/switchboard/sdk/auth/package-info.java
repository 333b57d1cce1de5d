/** Who is calling: the authenticated account behind a bearer token. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.switchboard.sdk.auth;
