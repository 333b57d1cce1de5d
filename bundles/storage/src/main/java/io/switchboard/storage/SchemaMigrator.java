package io.switchboard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Flyway for one feature schema with the SQL files found in the feature bundle. The storage
 * bundle remembers, per schema, the fingerprint of the files it last migrated successfully
 * ({@code switchboard_storage.migrated}); when a bundle arrives with the same files, Flyway is not
 * started at all.
 */
final class SchemaMigrator {
    static final String HISTORY_TABLE = "flyway_schema_history";
    /** The storage bundle's own schema; a feature cannot take this name (it has an underscore prefix rule). */
    static final String STATE_SCHEMA = "switchboard_storage";
    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);

    private final DataSource dataSource;
    private final ClassLoader flywayLoader;
    private final Object lock = new Object();

    /**
     * @param flywayLoader the storage bundle's class loader: it sees the embedded Flyway jars and
     *     their META-INF/services plugin files.
     */
    SchemaMigrator(DataSource dataSource, ClassLoader flywayLoader) {
        this.dataSource = dataSource;
        this.flywayLoader = flywayLoader;
    }

    /** Creates the storage bundle's own bookkeeping table if missing. */
    void prepare() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + STATE_SCHEMA);
            s.execute("CREATE TABLE IF NOT EXISTS " + STATE_SCHEMA + ".migrated (schema_name text PRIMARY KEY, "
                    + "fingerprint text NOT NULL, bundle text NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())");
        }
    }

    /** Migrates {@code schema}; one migration at a time, whatever thread starts which bundle. */
    void migrate(Bundle bundle, String schema) throws SQLException {
        String fingerprint = MigrationFingerprint.of(bundle, schema);
        synchronized (lock) {
            long start = System.nanoTime();
            if (fingerprint.equals(lastFingerprint(schema))) {
                LOG.info("Schema '{}' of bundle {} [{}]: up to date ({} ms)", schema, bundle.getSymbolicName(),
                        bundle.getBundleId(), (System.nanoTime() - start) / 1_000_000);
                return;
            }
            BundleResourceProvider resources = new BundleResourceProvider(bundle, schema);
            Flyway flyway = Flyway.configure(flywayLoader)
                    .loggers("slf4j") // its auto-detection looks for an SLF4J 1.x binding only
                    .dataSource(dataSource)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(true)
                    .table(HISTORY_TABLE)
                    .locations(BundleResourceProvider.MIGRATION_ROOT + schema)
                    .resourceProvider(resources)
                    .javaMigrationClassProvider(List::of)
                    .cleanDisabled(true)
                    .validateMigrationNaming(true)
                    .load();
            MigrateResult result = flyway.migrate();
            LOG.info("Schema '{}' of bundle {} [{}]: {} migration(s) applied, now at version {} ({} ms)",
                    schema, bundle.getSymbolicName(), bundle.getBundleId(), result.migrationsExecuted,
                    result.targetSchemaVersion == null ? result.initialSchemaVersion : result.targetSchemaVersion,
                    (System.nanoTime() - start) / 1_000_000);
            remember(schema, fingerprint, bundle.getSymbolicName());
        }
    }

    private String lastFingerprint(String schema) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT fingerprint FROM " + STATE_SCHEMA
                     + ".migrated WHERE schema_name = ?")) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private void remember(String schema, String fingerprint, String bundle) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO " + STATE_SCHEMA + ".migrated (schema_name, "
                     + "fingerprint, bundle) VALUES (?, ?, ?) ON CONFLICT (schema_name) DO UPDATE SET "
                     + "fingerprint = EXCLUDED.fingerprint, bundle = EXCLUDED.bundle, migrated_at = now()")) {
            s.setString(1, schema);
            s.setString(2, fingerprint);
            s.setString(3, bundle);
            s.executeUpdate();
        }
    }
}
