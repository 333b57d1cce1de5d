package io.switchboard.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.switchboard.sdk.storage.FeatureDatabase;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.BundleTracker;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the one connection pool and the extender that migrates feature schemas.
 *
 * <p>Settings come from framework properties {@value #URL_PROPERTY}, {@value #USER_PROPERTY} and
 * {@value #PASSWORD_PROPERTY}. Every bundle that starts with the manifest header
 * {@link FeatureDatabase#SCHEMA_HEADER} is migrated and then gets a {@link FeatureDatabase} service
 * registered through its own context.
 */
@Component(immediate = true)
public final class StorageComponent {
    public static final String URL_PROPERTY = "switchboard.db.url";
    public static final String USER_PROPERTY = "switchboard.db.user";
    public static final String PASSWORD_PROPERTY = "switchboard.db.password";
    static final String POOL_NAME = "switchboard";
    static final int POOL_SIZE = 10;

    private static final Logger LOG = LoggerFactory.getLogger(StorageComponent.class);

    private HikariDataSource pool;
    private BundleTracker<FeatureRegistration> tracker;

    @Activate
    void activate(BundleContext context) {
        String url = context.getProperty(URL_PROPERTY);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("framework property " + URL_PROPERTY + " is not set");
        }
        pool = createPool(url, context.getProperty(USER_PROPERTY), context.getProperty(PASSWORD_PROPERTY));
        LOG.info("Connection pool '{}' open on {}", POOL_NAME, redact(url));
        SchemaMigrator migrator = new SchemaMigrator(pool, StorageComponent.class.getClassLoader());
        try {
            migrator.prepare();
        } catch (java.sql.SQLException e) {
            pool.close();
            throw new IllegalStateException("The database at " + redact(url) + " cannot be used: " + e.getMessage(), e);
        }
        tracker = new BundleTracker<>(context, Bundle.STARTING | Bundle.ACTIVE,
                new FeatureBundleCustomizer(migrator, new PooledDataSource(pool)));
        try {
            tracker.open();
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        if (tracker != null) {
            tracker.close();
            tracker = null;
        }
        if (pool != null) {
            pool.close();
            LOG.info("Connection pool '{}' closed", POOL_NAME);
            pool = null;
        }
    }

    static HikariDataSource createPool(String url, String user, String password) {
        // Hand Hikari a ready DataSource: it must not load the driver by class name inside OSGi.
        PGSimpleDataSource pg = new PGSimpleDataSource();
        pg.setURL(url);
        pg.setApplicationName(POOL_NAME);
        if (user != null) {
            pg.setUser(user);
        }
        if (password != null) {
            pg.setPassword(password);
        }
        HikariConfig config = new HikariConfig();
        config.setDataSource(pg);
        config.setPoolName(POOL_NAME);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(2);
        return new HikariDataSource(config);
    }

    /** Keeps credentials that may sit in a JDBC URL's parameters out of the log. */
    static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }
}
