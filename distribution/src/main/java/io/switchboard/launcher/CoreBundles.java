package io.switchboard.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Installs the bundles packed under {@code bundles/} of the launcher jar, in the order of their file
 * names, and starts them. A bundle cache kept from an earlier run is reused: a core bundle is updated
 * only when its jar changed, and one no longer shipped is removed.
 */
final class CoreBundles {
    static final String LOCATION_PREFIX = "switchboard:core/";

    /**
     * Start levels above 1. Storage waits at level 2 so that the framework can start while the
     * embedded database is still starting; the REST whiteboard waits at level 3 so that it sees every
     * core resource at once and builds its Jersey application one time instead of once per resource.
     */
    static final int DATABASE_LEVEL = 2;
    static final int LAST_LEVEL = 3;
    private static final Map<String, Integer> LEVELS = Map.of(
            "io.switchboard.storage", DATABASE_LEVEL,
            "org.eclipse.osgitech.rest.servlet.whiteboard", LAST_LEVEL);

    private record Packed(String name, String entry) {}

    private CoreBundles() {}

    static List<Bundle> installAndStart(BundleContext context) throws IOException, BundleException, InterruptedException {
        List<Packed> packed = listPacked();
        if (packed.isEmpty()) throw new IOException("No bundles are packed in the launcher");
        Set<String> locations = new HashSet<>();
        List<Bundle> installed = new ArrayList<>();
        boolean changed = false;
        for (Packed p : packed) {
            String location = LOCATION_PREFIX + p.name();
            locations.add(location);
            Bundle existing = context.getBundle(location);
            if (existing == null) {
                try (InputStream in = open(p.entry())) {
                    installed.add(context.installBundle(location, in));
                }
            } else {
                if (!sameBuild(existing, p.entry())) {
                    try (InputStream in = open(p.entry())) {
                        existing.update(in);
                    }
                    changed = true;
                }
                installed.add(existing);
            }
        }
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().startsWith(LOCATION_PREFIX) && !locations.contains(b.getLocation())) {
                b.uninstall();
                changed = true;
            }
        }
        if (changed) refresh(context);
        for (Bundle b : installed) {
            if (b.getHeaders().get("Fragment-Host") != null) continue;
            BundleStartLevel level = b.adapt(BundleStartLevel.class);
            int wanted = LEVELS.getOrDefault(b.getSymbolicName(), 1);
            if (level.getStartLevel() != wanted) level.setStartLevel(wanted);
            try {
                b.start();
            } catch (BundleException e) {
                throw new BundleException("Bundle " + b.getSymbolicName() + " did not start: " + e.getMessage(), e);
            }
        }
        return installed;
    }

    /** Raises the framework to {@code level}, starting the bundles held back until now. */
    static void raiseStartLevel(BundleContext context, int level) throws InterruptedException {
        FrameworkStartLevel framework = context.getBundle(0).adapt(FrameworkStartLevel.class);
        if (framework.getStartLevel() >= level) return;
        CountDownLatch done = new CountDownLatch(1);
        framework.setStartLevel(level, event -> done.countDown());
        if (!done.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("Start level " + level + " not reached");
    }

    private static boolean sameBuild(Bundle existing, String entry) throws IOException {
        try (InputStream in = open(entry); JarInputStream jar = new JarInputStream(in)) {
            Manifest m = jar.getManifest();
            if (m == null) return false;
            String version = m.getMainAttributes().getValue("Bundle-Version");
            String built = m.getMainAttributes().getValue("Bnd-LastModified");
            String repacked = m.getMainAttributes().getValue(OptionalProcessorRequirement.MARKER);
            return equal(version, existing.getHeaders().get("Bundle-Version"))
                    && equal(built, existing.getHeaders().get("Bnd-LastModified"))
                    && equal(repacked, existing.getHeaders().get(OptionalProcessorRequirement.MARKER));
        }
    }

    private static boolean equal(String a, String b) {
        return a == null ? b == null : a.equals(b);
    }

    private static void refresh(BundleContext context) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(null, event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) done.countDown();
        });
        done.await(60, TimeUnit.SECONDS);
    }

    private static InputStream open(String entry) throws IOException {
        InputStream in = CoreBundles.class.getClassLoader().getResourceAsStream(entry);
        if (in == null) throw new IOException("Missing packed bundle " + entry);
        return in;
    }

    /** The packed bundles, sorted by file name (the start order). */
    private static List<Packed> listPacked() throws IOException {
        Path source;
        try {
            source = Path.of(CoreBundles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(source)) {
            Path dir = source.resolve("bundles");
            if (Files.isDirectory(dir)) {
                try (var files = Files.list(dir)) {
                    files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jar")).forEach(names::add);
                }
            }
        } else {
            try (JarFile jar = new JarFile(source.toFile())) {
                jar.stream().map(JarEntry::getName)
                        .filter(n -> n.startsWith("bundles/") && n.endsWith(".jar") && n.indexOf('/', 8) < 0)
                        .map(n -> n.substring("bundles/".length()))
                        .forEach(names::add);
            }
        }
        names.sort(Comparator.naturalOrder());
        List<Packed> out = new ArrayList<>();
        for (String n : names) {
            String bare = n.replaceFirst("^\\d+-", "").replaceFirst("\\.jar$", "");
            out.add(new Packed(bare, "bundles/" + n));
        }
        return out;
    }
}
