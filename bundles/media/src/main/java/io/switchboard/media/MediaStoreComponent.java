package io.switchboard.media;

import io.switchboard.sdk.media.MediaStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers {@link FileMediaStore} as the {@link MediaStore} service, under {@code <switchboard.home>/media}
 * or the configured {@code directory}. A new directory re-activates the component. It holds nothing
 * between calls (no open files, no threads), so deactivation has nothing to release.
 */
@Component(service = MediaStore.class, configurationPid = MediaStoreComponent.PID)
@Designate(ocd = MediaConfig.class)
public class MediaStoreComponent extends FileMediaStore {
    public static final String PID = "io.switchboard.media";
    public static final String HOME_PROPERTY = "switchboard.home";
    static final String DEFAULT_HOME = "./switchboard-home";
    static final Duration STALE_UPLOAD = Duration.ofHours(1);

    private static final Logger LOG = LoggerFactory.getLogger(MediaStoreComponent.class);

    @Activate
    public MediaStoreComponent(BundleContext context, MediaConfig config) throws IOException {
        super(directory(config.directory(), context.getProperty(HOME_PROPERTY)), new ContentTypes());
        int removed = removeStaleUploads(Instant.now().minus(STALE_UPLOAD));
        LOG.info("Media store in {}{}", root(), removed == 0 ? "" : " (" + removed + " unfinished uploads removed)");
    }

    /** The configured directory when one is set, else {@code media} under the home directory. */
    static Path directory(String configured, String home) {
        if (configured != null && !configured.isBlank()) return Path.of(configured.strip());
        String base = home == null || home.isBlank() ? DEFAULT_HOME : home;
        return Path.of(base).resolve("media");
    }
}
