package io.switchboard.storage;

import io.switchboard.sdk.storage.FeatureDatabase;
import javax.sql.DataSource;

final class PooledFeatureDatabase implements FeatureDatabase {
    private final String schema;
    private final DataSource dataSource;

    PooledFeatureDatabase(String schema, DataSource dataSource) {
        this.schema = schema;
        this.dataSource = dataSource;
    }

    @Override
    public String schema() {
        return schema;
    }

    @Override
    public DataSource dataSource() {
        return dataSource;
    }

    @Override
    public String toString() {
        return "FeatureDatabase[" + schema + "]";
    }
}
