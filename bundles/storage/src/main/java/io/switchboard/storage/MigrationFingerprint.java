package io.switchboard.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import org.osgi.framework.Bundle;

/**
 * A SHA-256 over the names and bytes of a bundle's migration files. When the storage bundle has
 * already brought a schema to exactly this set of files, Flyway need not be started again: that is
 * most of a warm start's migration time.
 */
final class MigrationFingerprint {
    private MigrationFingerprint() {}

    static String of(Bundle bundle, String schema) {
        List<URL> files = new ArrayList<>();
        Enumeration<URL> entries = bundle.findEntries(BundleResourceProvider.MIGRATION_ROOT + schema, "*.sql", false);
        if (entries != null) {
            while (entries.hasMoreElements()) files.add(entries.nextElement());
        }
        files.sort((a, b) -> a.getPath().compareTo(b.getPath()));
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (URL file : files) {
                String path = file.getPath();
                digest.update(path.substring(path.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                try (InputStream in = file.openStream()) {
                    digest.update(in.readAllBytes());
                }
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the migrations of " + bundle.getSymbolicName(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
