package io.switchboard.storage;

import io.switchboard.sdk.storage.FeatureDatabase;
import org.osgi.framework.ServiceRegistration;

/** What the tracker keeps per feature bundle: its schema and its service, or none if it failed. */
final class FeatureRegistration {
    final String schema;
    final ServiceRegistration<FeatureDatabase> registration;

    FeatureRegistration(String schema, ServiceRegistration<FeatureDatabase> registration) {
        this.schema = schema;
        this.registration = registration;
    }
}
