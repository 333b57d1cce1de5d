package io.switchboard.launcher;

import java.io.IOException;
import java.net.URI;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Starts Switchboard: the embedded PostgreSQL unless SWITCHBOARD_DB_URL is set, then the OSGi
 * framework and the core bundles; prints one "Switchboard ready on http://…" line once the API
 * answers, and stops everything (the database last) on SIGTERM.
 */
public final class Launcher {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Settings settings;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final StringBuilder phases = new StringBuilder();
    private long phaseStart = System.nanoTime();
    private volatile CompletableFuture<EmbeddedDatabase> pendingDatabase;
    private EmbeddedDatabase database;
    private Framework framework;

    private Launcher(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) {
        long started = System.nanoTime();
        Settings settings;
        try {
            settings = Settings.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("Switchboard: " + e.getMessage());
            System.exit(2);
            return;
        }
        configureLogging();
        Launcher launcher = new Launcher(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "switchboard-shutdown"));
        try {
            launcher.start();
        } catch (Exception | LinkageError e) {
            System.err.println("Switchboard failed to start: " + e);
            e.printStackTrace(System.err);
            launcher.stop();
            System.exit(1);
            return;
        }
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
        System.out.println("Switchboard ready on http://" + settings.publicHost() + ":" + settings.httpPort()
                + " (started in " + millis + " ms:" + launcher.phases + ")");
        System.out.flush();
        IdleMemory.release();
        launcher.awaitStop();
    }

    private void start() throws Exception {
        requireFreePort();
        Path home = settings.home();
        for (String dir : new String[] {"data", "deploy", "conf", "logs", "cache"}) {
            Files.createDirectories(home.resolve(dir));
        }
        String adminToken = AdminToken.resolve(settings);
        // The embedded database starts in its own process while the framework starts its bundles;
        // storage and everything that needs it wait at a higher start level until it answers.
        CompletableFuture<EmbeddedDatabase> embedded = settings.dbUrl() != null ? null
                : CompletableFuture.supplyAsync(() -> EmbeddedDatabase.startUnchecked(home.resolve("data").resolve("pg")));
        pendingDatabase = embedded;
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, home.resolve("cache").resolve("felix").toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        props.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "1");
        props.put("felix.log.level", "1");
        // The launcher's own SLF4J provider must not leak into the framework's bundles.
        props.put("felix.bootdelegation.implicit", "false");
        props.put("org.osgi.service.http.port", Integer.toString(settings.httpPort()));
        props.put("org.apache.felix.http.host", settings.bind());
        props.put("org.apache.felix.http.enable", "true");
        props.put("org.apache.felix.jakarta.websocket.enable", "true");
        props.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        props.put("org.apache.felix.http.jetty.threadpool.max", Integer.toString(settings.httpThreads()));
        props.put("felix.fileinstall.dir", home.resolve("deploy").toString());
        props.put("felix.fileinstall.poll", "1000");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.enableConfigSave", "false");
        props.put("felix.fileinstall.log.level", "2");
        props.put("ds.loglevel", "warn");
        props.put("switchboard.home", home.toString());
        if (embedded == null) putDatabase(props, settings.dbUrl(), settings.dbUser(), settings.dbPassword());
        props.put("switchboard.admin.token", adminToken);
        // Feature settings of the operating contract, passed through as framework properties.
        for (String[] pass : new String[][] {{"SWITCHBOARD_ICE_SERVERS", "switchboard.ice.servers"},
                {"SWITCHBOARD_TURN_SECRET", "switchboard.turn.secret"},
                {"SWITCHBOARD_RTPENGINE", "switchboard.rtpengine"},
                {"SWITCHBOARD_SIP_ADDRESS", "switchboard.sip.address"},
                {"SWITCHBOARD_SIP_PORT", "switchboard.sip.port"},
                {"SWITCHBOARD_SIP_DOMAIN", "switchboard.sip.domain"}}) {
            String value = System.getenv(pass[0]);
            if (value != null && !value.isBlank()) props.put(pass[1], value.strip());
        }

        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class).iterator();
        if (!factories.hasNext()) throw new IllegalStateException("No OSGi framework on the class path");
        framework = factories.next().newFramework(props);
        framework.init();
        if (System.getenv("SWITCHBOARD_TRACE_START") != null) {
            long t0 = System.nanoTime();
            framework.getBundleContext().addBundleListener(event -> {
                if (event.getType() == org.osgi.framework.BundleEvent.STARTED) {
                    System.err.printf("trace: %5d ms started %s%n", (System.nanoTime() - t0) / 1_000_000,
                            event.getBundle().getSymbolicName());
                }
            });
        }
        framework.start();
        phase("framework");
        CoreBundles.installAndStart(framework.getBundleContext());
        phase("bundles");
        if (embedded != null) {
            try {
                database = embedded.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            // Framework properties are fixed at init; the framework falls back to system properties.
            Map<String, String> db = new HashMap<>();
            putDatabase(db, database.jdbcUrl(), database.user(), database.password());
            db.forEach(System::setProperty);
            phase("database");
        }
        CoreBundles.raiseStartLevel(framework.getBundleContext(), CoreBundles.LAST_LEVEL);
        phase("storage");
        awaitReady();
        phase("API");
    }

    /** Fails fast when another process holds the HTTP port: its health answers must not pass for ours. */
    private void requireFreePort() throws IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(settings.bind(), settings.httpPort()));
        } catch (java.net.BindException e) {
            throw new IOException("Port " + settings.httpPort() + " on " + settings.bind()
                    + " is in use by another process (set SWITCHBOARD_HTTP_PORT)", e);
        }
    }

    private static void putDatabase(Map<String, String> props, String url, String user, String password) {
        props.put("switchboard.db.url", url);
        if (user != null) props.put("switchboard.db.user", user);
        if (password != null) props.put("switchboard.db.password", password);
    }

    private void phase(String name) {
        long now = System.nanoTime();
        phases.append(phases.length() == 0 ? " " : ", ").append(name).append(' ')
                .append(Duration.ofNanos(now - phaseStart).toMillis()).append(" ms");
        phaseStart = now;
    }

    /** Waits until every core bundle is active and the accounts feature answers through the gateway. */
    private void awaitReady() throws Exception {
        for (Bundle b : framework.getBundleContext().getBundles()) {
            if (b.getLocation().startsWith(CoreBundles.LOCATION_PREFIX)
                    && b.getHeaders().get("Fragment-Host") == null && b.getState() != Bundle.ACTIVE) {
                throw new IllegalStateException("Bundle " + b.getSymbolicName() + " is not active");
            }
        }
        String host = "0.0.0.0".equals(settings.bind()) ? "127.0.0.1" : settings.bind();
        if (host.contains(":")) host = "[" + host + "]";
        URL health = URI.create("http://" + host + ":" + settings.httpPort() + "/api/v1/health").toURL();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        // HttpURLConnection rather than java.net.http: it loads a fraction of the classes, which shows
        // in the start-up time.
        while (System.nanoTime() < deadline) {
            HttpURLConnection c = (HttpURLConnection) health.openConnection();
            try {
                c.setConnectTimeout(2_000);
                c.setReadTimeout(5_000);
                int status = c.getResponseCode();
                InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
                String body = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                last = status + " " + body;
                if (status == 200 && body.contains("\"ready\":true")) return;
            } catch (IOException e) {
                last = e.toString();
            } finally {
                c.disconnect();
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("The API did not become ready within " + READY_TIMEOUT.toSeconds()
                + " s (last answer: " + last + ")");
    }

    private void awaitStop() {
        try {
            framework.waitForStop(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The framework can also be stopped from inside (system bundle stop): stop the database too.
        if (!stopping.get()) {
            stop();
            System.exit(0);
        }
    }

    private void stop() {
        if (!stopping.compareAndSet(false, true)) return;
        try {
            if (framework != null) {
                framework.stop();
                framework.waitForStop(30_000);
            }
        } catch (Exception e) {
            System.err.println("Switchboard: stopping the framework failed: " + e);
        }
        if (database == null && pendingDatabase != null) {
            try {
                database = pendingDatabase.get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // it did not come up: nothing to stop
            }
        }
        if (database != null) database.close();
        System.out.println("Switchboard stopped");
        System.out.flush();
    }

    /** Held so java.util.logging keeps the levels set on them. */
    private static final java.util.List<java.util.logging.Logger> QUIETED = new java.util.ArrayList<>();

    private static void configureLogging() {
        // Jersey, SPI Fly and Felix HTTP log through java.util.logging: keep warnings, drop chatter.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) h.setLevel(java.util.logging.Level.WARNING);
        for (String noisy : new String[] {"org.glassfish.jersey.internal.inject.Providers",
                "org.glassfish.jersey.server.wadl.WadlFeature"}) {
            java.util.logging.Logger l = java.util.logging.Logger.getLogger(noisy);
            l.setLevel(java.util.logging.Level.SEVERE);
            QUIETED.add(l);
        }
        setDefault("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        setDefault("org.slf4j.simpleLogger.log.io.switchboard", "info");
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
