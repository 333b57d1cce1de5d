/** How a feature gets its database: ship Flyway SQL migrations, receive a FeatureDatabase. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.switchboard.sdk.storage;
