package io.switchboard.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
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
                + " (started in " + millis + " ms)");
        System.out.flush();
        launcher.awaitStop();
    }

    private void start() throws Exception {
        Path home = settings.home();
        for (String dir : new String[] {"data", "deploy", "conf", "logs", "cache"}) {
            Files.createDirectories(home.resolve(dir));
        }
        String adminToken = AdminToken.resolve(settings);
        String url = settings.dbUrl();
        String user = settings.dbUser();
        String password = settings.dbPassword();
        if (url == null) {
            database = EmbeddedDatabase.start(home.resolve("data").resolve("pg"));
            url = database.jdbcUrl();
            user = database.user();
            password = database.password();
        }
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, home.resolve("cache").resolve("felix").toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, "none");
        props.put("felix.log.level", "1");
        // The launcher's own SLF4J provider must not leak into the framework's bundles.
        props.put("felix.bootdelegation.implicit", "false");
        props.put("org.osgi.service.http.port", Integer.toString(settings.httpPort()));
        props.put("org.apache.felix.http.host", settings.bind());
        props.put("org.apache.felix.http.enable", "true");
        props.put("org.apache.felix.jakarta.websocket.enable", "true");
        props.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        props.put("felix.fileinstall.dir", home.resolve("deploy").toString());
        props.put("felix.fileinstall.poll", "1000");
        props.put("felix.fileinstall.noInitialDelay", "true");
        props.put("felix.fileinstall.enableConfigSave", "false");
        props.put("felix.fileinstall.log.level", "2");
        props.put("ds.loglevel", "warn");
        props.put("switchboard.home", home.toString());
        props.put("switchboard.db.url", url);
        if (user != null) props.put("switchboard.db.user", user);
        if (password != null) props.put("switchboard.db.password", password);
        props.put("switchboard.admin.token", adminToken);

        Iterator<FrameworkFactory> factories = ServiceLoader.load(FrameworkFactory.class).iterator();
        if (!factories.hasNext()) throw new IllegalStateException("No OSGi framework on the class path");
        framework = factories.next().newFramework(props);
        framework.start();
        CoreBundles.installAndStart(framework.getBundleContext());
        awaitReady();
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
        URI health = URI.create("http://" + host + ":" + settings.httpPort() + "/api/v1/health");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = r.statusCode() + " " + r.body();
                if (r.statusCode() == 200 && r.body().contains("\"ready\":true")) return;
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
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
