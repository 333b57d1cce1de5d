package io.switchboard.media;

import io.switchboard.sdk.media.MediaStore;
import io.switchboard.sdk.media.MediaTooLargeException;
import io.switchboard.sdk.media.StoredMedia;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link MediaStore} in a directory: {@code <root>/<k[0..2]>/<k[2..4]>/<k>} for each key {@code k}
 * (the lower-case hex SHA-256 of the bytes), and {@code <root>/tmp/} for uploads still arriving.
 * An upload becomes visible under its key in one atomic rename, so a reader never sees part of one.
 * Holds no open files and no threads between calls.
 */
public class FileMediaStore implements MediaStore {
    static final String TMP = "tmp";
    static final int BUFFER_BYTES = 64 * 1024;
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{64}");
    private static final HexFormat HEX = HexFormat.of();

    private final Path root;
    private final Path tmp;
    private final ContentTypes types;

    public FileMediaStore(Path root, ContentTypes types) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(TMP);
        this.types = Objects.requireNonNull(types, "types");
    }

    /** The directory that holds the media. */
    public Path root() {
        return root;
    }

    @Override
    public StoredMedia put(InputStream in, long maxBytes) throws IOException {
        Objects.requireNonNull(in, "in");
        if (maxBytes < 0) throw new IllegalArgumentException("maxBytes < 0");
        Files.createDirectories(tmp);
        Path part = Files.createTempFile(tmp, "upload-", ".part");
        try {
            MessageDigest sha256 = sha256();
            byte[] buffer = new byte[BUFFER_BYTES];
            byte[] head = new byte[ContentTypes.PREFIX_BYTES];
            int headLength = 0;
            long size = 0;
            try (OutputStream out = Files.newOutputStream(part)) {
                for (int n; (n = in.read(buffer)) != -1; ) {
                    size += n;
                    if (size > maxBytes) throw new MediaTooLargeException(maxBytes);
                    sha256.update(buffer, 0, n);
                    if (headLength < head.length) {
                        int k = Math.min(n, head.length - headLength);
                        System.arraycopy(buffer, 0, head, headLength, k);
                        headLength += k;
                    }
                    out.write(buffer, 0, n);
                }
            }
            String key = HEX.formatHex(sha256.digest());
            String type = types.detect(head, headLength);
            keep(part, pathOf(key));
            return new StoredMedia(key, size, type);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(part, e);
            throw e;
        }
    }

    @Override
    public Optional<InputStream> open(String key) throws IOException {
        if (!isKey(key)) return Optional.empty();
        try {
            return Optional.of(Files.newInputStream(pathOf(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public long size(String key) throws IOException {
        if (!isKey(key)) return -1;
        try {
            return Files.size(pathOf(key));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public void delete(String key) throws IOException {
        if (isKey(key)) Files.deleteIfExists(pathOf(key));
    }

    /**
     * Removes uploads in {@code tmp/} last written before {@code cutoff}: left behind by a process
     * that stopped in the middle of one. Returns how many were removed.
     */
    public int removeStaleUploads(Instant cutoff) throws IOException {
        if (!Files.isDirectory(tmp)) return 0;
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) {
                try {
                    if (Files.isRegularFile(f) && Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)
                            && Files.deleteIfExists(f)) {
                        removed++;
                    }
                } catch (NoSuchFileException e) {
                    // removed meanwhile
                }
            }
        }
        return removed;
    }

    /** True for exactly 64 lower-case hex digits: the only strings that ever name a file. */
    static boolean isKey(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    private Path pathOf(String key) {
        return root.resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
    }

    /** Moves the finished upload under its key, or drops it when the same bytes are already kept. */
    private static void keep(Path part, Path target) throws IOException {
        if (Files.exists(target)) {
            Files.delete(part);
            return;
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            // the same bytes arrived at the same time through another upload
            Files.delete(part);
        }
    }

    private static void deleteQuietly(Path file, Throwable cause) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
