package io.switchboard.storage;

import io.switchboard.sdk.storage.FeatureDatabase;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extender: migrates a starting feature bundle's schema in the tracker callback (so the bundle's
 * components cannot activate before their tables exist) and registers its FeatureDatabase through
 * the bundle's own context.
 */
final class FeatureBundleCustomizer implements BundleTrackerCustomizer<FeatureRegistration> {
    static final Pattern SCHEMA_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    /** Schemas a feature may not take: PostgreSQL's own and the storage bundle's bookkeeping. */
    static final java.util.Set<String> RESERVED = java.util.Set.of("public", "information_schema",
            SchemaMigrator.STATE_SCHEMA);
    private static final Logger LOG = LoggerFactory.getLogger(FeatureBundleCustomizer.class);

    private final SchemaMigrator migrator;
    private final DataSource dataSource;
    /** schema → id of the bundle that owns it; guarded by itself. */
    private final Map<String, Long> owners = new HashMap<>();

    FeatureBundleCustomizer(SchemaMigrator migrator, DataSource dataSource) {
        this.migrator = migrator;
        this.dataSource = dataSource;
    }

    @Override
    public FeatureRegistration addingBundle(Bundle bundle, BundleEvent event) {
        String header = bundle.getHeaders("").get(FeatureDatabase.SCHEMA_HEADER);
        if (header == null) {
            return null; // not a feature with a database: not tracked
        }
        String schema = header.trim();
        if (!SCHEMA_NAME.matcher(schema).matches() || RESERVED.contains(schema) || schema.startsWith("pg_")) {
            LOG.error("Bundle {} [{}]: invalid {} '{}' (expected [a-z][a-z0-9_]{0,62}, not reserved); no database for it",
                    bundle.getSymbolicName(), bundle.getBundleId(), FeatureDatabase.SCHEMA_HEADER, schema);
            return new FeatureRegistration(schema, null);
        }
        synchronized (owners) {
            Long owner = owners.get(schema);
            if (owner != null && owner != bundle.getBundleId()) {
                LOG.error("Bundle {} [{}]: schema '{}' already belongs to bundle {}; no database for it",
                        bundle.getSymbolicName(), bundle.getBundleId(), schema, owner);
                return new FeatureRegistration(schema, null);
            }
            owners.put(schema, bundle.getBundleId());
        }
        try {
            migrator.migrate(bundle, schema);
        } catch (java.sql.SQLException | RuntimeException | LinkageError e) {
            LOG.error("Bundle {} [{}]: migration of schema '{}' failed: {}; no database for it",
                    bundle.getSymbolicName(), bundle.getBundleId(), schema, e.getMessage(), e);
            release(schema, bundle);
            return new FeatureRegistration(schema, null);
        }
        BundleContext context = bundle.getBundleContext();
        if (context == null) {
            release(schema, bundle);
            return null; // stopped meanwhile
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(FeatureDatabase.SCHEMA_PROPERTY, schema);
        try {
            ServiceRegistration<FeatureDatabase> reg =
                    context.registerService(FeatureDatabase.class, new PooledFeatureDatabase(schema, dataSource), props);
            LOG.info("Bundle {} [{}]: schema '{}' migrated, FeatureDatabase registered",
                    bundle.getSymbolicName(), bundle.getBundleId(), schema);
            return new FeatureRegistration(schema, reg);
        } catch (IllegalStateException e) {
            release(schema, bundle);
            return null; // the bundle's context became invalid
        }
    }

    @Override
    public void modifiedBundle(Bundle bundle, BundleEvent event, FeatureRegistration object) {
        // STARTING -> ACTIVE: nothing to do
    }

    @Override
    public void removedBundle(Bundle bundle, BundleEvent event, FeatureRegistration object) {
        if (object.registration != null) {
            try {
                object.registration.unregister();
                LOG.info("Bundle {} [{}]: FeatureDatabase '{}' unregistered",
                        bundle.getSymbolicName(), bundle.getBundleId(), object.schema);
            } catch (IllegalStateException alreadyGone) {
                // the framework already removed it with the bundle
            }
        }
        release(object.schema, bundle);
    }

    private void release(String schema, Bundle bundle) {
        synchronized (owners) {
            owners.remove(schema, bundle.getBundleId());
        }
    }
}
