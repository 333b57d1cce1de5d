package io.switchboard.storage;

import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.osgi.framework.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs Flyway for one feature schema with the SQL files found in the feature bundle. */
final class SchemaMigrator {
    static final String HISTORY_TABLE = "flyway_schema_history";
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

    /** Migrates {@code schema}; one migration at a time, whatever thread starts which bundle. */
    MigrateResult migrate(Bundle bundle, String schema) {
        BundleResourceProvider resources = new BundleResourceProvider(bundle, schema);
        synchronized (lock) {
            long start = System.nanoTime();
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
            return result;
        }
    }
}
