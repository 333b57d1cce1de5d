/** Read-only view of accounts for features: look up by handle or id, and who blocked whom. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.switchboard.sdk.accounts;
