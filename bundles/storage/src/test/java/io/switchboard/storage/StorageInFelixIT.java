package io.switchboard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The packaged storage bundle in a real Felix with the bundles it meets in the runtime, against a
 * real PostgreSQL: feature bundles built here get their schema migrated and a FeatureDatabase.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StorageInFelixIT {
    private static final String FEATURE_DB = "io.switchboard.sdk.storage.FeatureDatabase";

    private EmbeddedPostgres pg;
    private Framework framework;
    private BundleContext ctx;
    private Bundle storage;
    private Path work;

    @BeforeAll
    void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        work = Files.createTempDirectory(Paths.get("target"), "felix-it");

        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, work.resolve("cache").toAbsolutePath().toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // Felix would otherwise answer ServiceLoader's look-ups from bundles with this JVM's class path
        // too (it has slf4j-simple for the test itself), and SLF4J in the framework would find a
        // provider of the wrong class space
        props.put("felix.bootdelegation.implicit", "false");
        props.put("switchboard.db.url", "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres");
        props.put("switchboard.db.user", "postgres");
        props.put("switchboard.db.password", "unused-trust-auth");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        framework = factory.newFramework(props);
        framework.start();
        ctx = framework.getBundleContext();

        Path testBundles = Paths.get(System.getProperty("test.bundles", "target/test-bundles"));
        List<Path> jars;
        try (Stream<Path> s = Files.list(testBundles)) {
            jars = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        List<Bundle> installed = new ArrayList<>();
        // SPI Fly first (framework extension), so that slf4j-api's serviceloader requirement resolves
        for (Path jar : jars) {
            if (jar.getFileName().toString().contains("spifly")) {
                installed.add(ctx.installBundle(jar.toUri().toString()));
            }
        }
        for (Path jar : jars) {
            if (!jar.getFileName().toString().contains("spifly")) {
                installed.add(ctx.installBundle(jar.toUri().toString()));
            }
        }
        String storageJar = System.getProperty("storage.bundle");
        assertNotNull(storageJar, "system property storage.bundle (the packaged bundle) is not set");
        storage = ctx.installBundle(Paths.get(storageJar).toUri().toString());
        installed.add(storage);
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                assertEquals(Bundle.ACTIVE, b.getState(), b.getSymbolicName() + " is not ACTIVE");
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(30_000);
        }
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void featureBundleGetsItsSchemaAndServiceUntilItStops() throws Exception {
        Bundle demo = ctx.installBundle("demo", featureBundle("test.demo", "demo", Map.of(
                "V1__init.sql", "create table greeting (id int primary key, text varchar(100) not null);\n"
                        + "insert into greeting values (1, 'hello');\n",
                "V2__more.sql", "insert into greeting values (2, 'world');\n")));
        demo.start();

        ServiceReference<?> ref = awaitService("demo");
        assertSame(demo, ref.getBundle(), "the service must belong to the feature bundle");
        assertEquals("demo", ref.getProperty("switchboard.schema"));

        // the tables exist in PostgreSQL, in the feature's schema, with Flyway's history beside them
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            assertEquals(List.of("hello", "world"), strings(st, "select text from demo.greeting order by id"));
            assertEquals(List.of("1", "2"), strings(st,
                    "select version from demo.flyway_schema_history where success and version is not null"
                            + " order by installed_rank"));
        }

        // the service hands out pooled connections that reach the same tables
        Object service = ctx.getService(ref);
        assertEquals("demo", call(service, "schema"));
        DataSource ds = (DataSource) call(service, "dataSource");
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            assertEquals(List.of("hello", "world"), strings(st, "select text from demo.greeting order by id"));
        }
        ctx.ungetService(ref);

        demo.stop();
        assertNull(findService("demo"), "the service must go when the feature bundle stops");

        // starting again: no migration runs twice, the service comes back
        demo.start();
        assertNotNull(awaitService("demo"));
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            assertEquals(List.of("1", "2"), strings(st, "select version from demo.flyway_schema_history where version is not null order by installed_rank"));
        }

        // an update that ships a new migration is migrated again (the remembered fingerprint differs)
        demo.update((featureBundle("test.demo", "demo", Map.of(
                "V1__init.sql", "create table greeting (id int primary key, text varchar(100) not null);\n"
                        + "insert into greeting values (1, 'hello');\n",
                "V2__more.sql", "insert into greeting values (2, 'world');\n",
                "V3__again.sql", "insert into greeting values (3, 'again');\n"))));
        assertNotNull(awaitService("demo"));
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            assertEquals(List.of("hello", "world", "again"), strings(st, "select text from demo.greeting order by id"));
            assertEquals(List.of("1", "2", "3"), strings(st, "select version from demo.flyway_schema_history where version is not null order by installed_rank"));
        }
        demo.uninstall();
        assertNull(findService("demo"));
    }

    @Test
    void failedMigrationOrBadSchemaNameGivesNoServiceAndBreaksNothing() throws Exception {
        Bundle broken = ctx.installBundle("broken", featureBundle("test.broken", "broken",
                Map.of("V1__oops.sql", "create tabel nonsense (id int);\n")));
        broken.start();
        Bundle badName = ctx.installBundle("badname", featureBundle("test.badname", "Bad-Name",
                Map.of("V1__init.sql", "create table t (id int);\n")));
        badName.start();
        Bundle reserved = ctx.installBundle("reserved", featureBundle("test.reserved", "switchboard_storage",
                Map.of("V1__init.sql", "drop table switchboard_storage.migrated;\n")));
        reserved.start();
        Bundle good = ctx.installBundle("good", featureBundle("test.good", "good_one",
                Map.of("V1__init.sql", "create table t (id int);\n")));
        good.start();

        assertNotNull(awaitService("good_one"));
        assertNull(findService("broken"));
        assertNull(findService("Bad-Name"));
        assertNull(findService("switchboard_storage"), "the storage bundle's own schema cannot be taken");
        assertEquals(Bundle.ACTIVE, broken.getState());
        assertEquals(Bundle.ACTIVE, storage.getState());
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            assertEquals(List.of(), strings(st,
                    "select table_name from information_schema.tables where table_schema = 'broken' and table_name = 'nonsense'"));
        }
        for (Bundle b : List.of(broken, badName, reserved, good)) {
            b.uninstall();
        }
    }

    @Test
    void bundlesStartingAtOnceAreAllMigrated() throws Exception {
        int n = 6;
        List<Bundle> bundles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            bundles.add(ctx.installBundle("many" + i, featureBundle("test.many" + i, "many" + i, Map.of(
                    "V1__init.sql", "create table item (id serial primary key, name text);\n"
                            + "insert into item (name) values ('x');\n"))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> started = new ArrayList<>();
        for (Bundle b : bundles) {
            started.add(pool.submit(() -> {
                go.await();
                b.start();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : started) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            for (int i = 0; i < n; i++) {
                // the service is there as soon as start() returned: migration ran in the STARTING callback
                assertNotNull(findService("many" + i), "no service for many" + i);
                assertEquals(List.of("1"), strings(st, "select count(*) from many" + i + ".item"));
            }
        }
        for (Bundle b : bundles) {
            b.uninstall();
        }
    }

    @Test
    void stoppingStorageClosesThePoolAndUnregistersAll() throws Exception {
        Bundle f = ctx.installBundle("last", featureBundle("test.last", "last_one",
                Map.of("V1__init.sql", "create table t (id int);\n")));
        f.start();
        assertNotNull(awaitService("last_one"));
        assertTrue(poolConnections() > 0, "the pool should hold connections");

        storage.stop();
        assertNull(findService("last_one"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (poolConnections() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, poolConnections(), "the pool must be closed");

        storage.start();
        assertNotNull(awaitService("last_one"), "an already active feature is picked up on start");
        f.uninstall();
    }

    private int poolConnections() throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            return Integer.parseInt(strings(st,
                    "select count(*) from pg_stat_activity where application_name = 'switchboard'").get(0));
        }
    }

    private ServiceReference<?> awaitService(String schema) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            ServiceReference<?> ref = findService(schema);
            if (ref != null) {
                return ref;
            }
            Thread.sleep(50);
        }
        fail("no FeatureDatabase with switchboard.schema=" + schema + " within 30 s");
        return null;
    }

    private ServiceReference<?> findService(String schema) throws Exception {
        ServiceReference<?>[] refs = ctx.getAllServiceReferences(FEATURE_DB, "(switchboard.schema=" + schema + ")");
        return refs == null ? null : refs[0];
    }

    private static Object call(Object service, String method) throws Exception {
        for (Class<?> i : service.getClass().getInterfaces()) {
            if (i.getName().equals(FEATURE_DB)) {
                Method m = i.getMethod(method);
                return m.invoke(service);
            }
        }
        throw new AssertionError(service + " is no FeatureDatabase");
    }

    private static List<String> strings(Statement st, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A feature bundle as a jar stream: manifest with the schema header plus its SQL files. */
    private java.io.InputStream featureBundle(String bsn, String schema, Map<String, String> sql) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        a.putValue(Constants.BUNDLE_SYMBOLICNAME, bsn);
        a.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        a.putValue(Constants.IMPORT_PACKAGE, "io.switchboard.sdk.storage;version=\"[1.0,2)\"");
        a.putValue("Switchboard-Schema", schema);
        Path jar = work.resolve(bsn + ".jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            for (Map.Entry<String, String> e : sql.entrySet()) {
                j.putNextEntry(new JarEntry("db/migration/" + schema + "/" + e.getKey()));
                j.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        return Files.newInputStream(jar);
    }
}
