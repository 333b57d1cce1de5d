package io.switchboard.sdk.media;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Keeps the bytes of uploads; metadata (who uploaded what, who may see it) stays with the feature
 * that owns it. Bytes are streamed through, never held whole in memory, and addressed by their
 * content: storing the same bytes twice gives the same key and keeps one copy.
 * Offered as an OSGi service by the media bundle.
 */
@ProviderType
public interface MediaStore {
    /**
     * Reads {@code in} to its end and keeps the bytes. Nothing is kept when the stream holds more
     * than {@code maxBytes} (then {@link MediaTooLargeException}) or fails while being read.
     */
    StoredMedia put(InputStream in, long maxBytes) throws IOException;

    /** The bytes under {@code key}, or empty when the key is unknown or malformed. */
    Optional<InputStream> open(String key) throws IOException;

    /** The size of the bytes under {@code key}, or -1 when there are none. */
    long size(String key) throws IOException;

    /** Removes the bytes under {@code key}; an unknown key is not an error. */
    void delete(String key) throws IOException;
}
