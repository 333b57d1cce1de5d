package io.switchboard.storage;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;
import org.osgi.framework.Bundle;

/**
 * Feeds Flyway the SQL files of a feature bundle ({@code db/migration/<schema>/*.sql}, the bundle's
 * own entries, not its class path) instead of Flyway's class-path scanning, which does not work
 * across bundles.
 */
final class BundleResourceProvider implements ResourceProvider {
    static final String MIGRATION_ROOT = "db/migration/";

    private final List<LoadableResource> resources;

    BundleResourceProvider(Bundle bundle, String schema) {
        String folder = MIGRATION_ROOT + schema;
        List<LoadableResource> found = new ArrayList<>();
        Enumeration<URL> entries = bundle.findEntries(folder, "*.sql", false);
        if (entries != null) {
            while (entries.hasMoreElements()) {
                URL url = entries.nextElement();
                String path = url.getPath();
                String filename = path.substring(path.lastIndexOf('/') + 1);
                found.add(new EntryResource(url, folder + "/" + filename, filename));
            }
        }
        Collections.sort(found);
        this.resources = List.copyOf(found);
    }

    List<LoadableResource> all() {
        return resources;
    }

    @Override
    public LoadableResource getResource(String name) {
        for (LoadableResource r : resources) {
            if (r.getRelativePath().equals(name) || r.getAbsolutePath().equals(name)) {
                return r;
            }
        }
        return null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        List<LoadableResource> result = new ArrayList<>();
        for (LoadableResource r : resources) {
            String name = r.getFilename();
            if (!name.startsWith(prefix)) {
                continue;
            }
            for (String suffix : suffixes) {
                if (name.endsWith(suffix)) {
                    result.add(r);
                    break;
                }
            }
        }
        return result;
    }

    /** One SQL file inside a bundle. */
    static final class EntryResource extends LoadableResource {
        private final URL url;
        private final String absolutePath;
        private final String filename;

        EntryResource(URL url, String absolutePath, String filename) {
            this.url = url;
            this.absolutePath = absolutePath;
            this.filename = filename;
        }

        @Override
        public Reader read() {
            try {
                return new InputStreamReader(url.openStream(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + url, e);
            }
        }

        @Override
        public String getAbsolutePath() {
            return absolutePath;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return url.toExternalForm();
        }

        @Override
        public String getFilename() {
            return filename;
        }

        @Override
        public String getRelativePath() {
            return filename;
        }
    }
}
