package io.switchboard.sdk.storage;

import javax.sql.DataSource;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A feature's database. A bundle ships Flyway SQL migrations under {@code db/migration/<schema>/}
 * (V1__init.sql, ...) and names its schema in the manifest header {@link #SCHEMA_HEADER}. When the
 * bundle starts, the storage bundle migrates that schema (its own history table) and then registers
 * this service on the bundle's behalf with the property {@link #SCHEMA_PROPERTY}; a component gets it
 * with {@code @Reference(target = "(switchboard.schema=chat)")} and so never runs before its tables
 * exist. Connections come from the one shared pool; qualify every table with the schema
 * ({@code chat.messages}) and never touch another feature's schema.
 */
@ProviderType
public interface FeatureDatabase {
    /** Manifest header naming the bundle's schema, e.g. {@code Switchboard-Schema: chat}. */
    String SCHEMA_HEADER = "Switchboard-Schema";
    /** Service property carrying the schema name. */
    String SCHEMA_PROPERTY = "switchboard.schema";

    String schema();

    /** Pooled connections; close each one when done. */
    DataSource dataSource();
}
