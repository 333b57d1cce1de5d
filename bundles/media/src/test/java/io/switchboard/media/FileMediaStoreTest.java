package io.switchboard.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.media.MediaTooLargeException;
import io.switchboard.sdk.media.StoredMedia;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMediaStoreTest {
    private static final long MiB = 1024 * 1024;
    private static final ContentTypes TYPES = new ContentTypes();

    @TempDir
    Path dir;
    private Path root;
    private FileMediaStore store;

    @BeforeEach
    void setUp() {
        root = dir.resolve("media");
        store = new FileMediaStore(root, TYPES);
    }

    @Test
    void sameBytesGiveTheSameKeyAndOneFile() throws Exception {
        byte[] bytes = "the same bytes, twice".getBytes(StandardCharsets.UTF_8);
        StoredMedia first = store.put(new ByteArrayInputStream(bytes), 1000);
        StoredMedia second = store.put(new ByteArrayInputStream(bytes), 1000);

        assertEquals(sha256(bytes), first.key());
        assertEquals(first, second);
        assertEquals(bytes.length, first.size());
        Path file = root.resolve(first.key().substring(0, 2)).resolve(first.key().substring(2, 4)).resolve(first.key());
        assertEquals(List.of(file), storedFiles());
        assertEquals(List.of(), tmpFiles());
        assertArrayEquals(bytes, read(first.key()));
        assertEquals(bytes.length, store.size(first.key()));
    }

    @Test
    void differentBytesGiveDifferentKeys() throws Exception {
        StoredMedia a = store.put(new ByteArrayInputStream(new byte[] {1}), 10);
        StoredMedia b = store.put(new ByteArrayInputStream(new byte[] {2}), 10);
        assertFalse(a.key().equals(b.key()));
        assertEquals(2, storedFiles().size());
    }

    @Test
    void emptyUploadIsKept() throws Exception {
        StoredMedia empty = store.put(InputStream.nullInputStream(), 0);
        assertEquals(sha256(new byte[0]), empty.key());
        assertEquals(0, empty.size());
        assertEquals(0, store.size(empty.key()));
    }

    @Test
    void exactlyTheLimitIsAllowed() throws Exception {
        assertEquals(100, store.put(new Generated(100), 100).size());
    }

    @Test
    void tenMebibytesAreStreamedNotHeld() throws Exception {
        var threads = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported());
        var allocation = (com.sun.management.ThreadMXBean) threads;
        store.put(new Generated(10), 10); // loads Tika's table and the file system classes once
        long id = Thread.currentThread().getId();

        Generated upload = new Generated(10 * MiB);
        long before = allocation.getThreadAllocatedBytes(id);
        StoredMedia stored = store.put(upload, 10 * MiB);
        long allocated = allocation.getThreadAllocatedBytes(id) - before;

        assertEquals(10 * MiB, stored.size());
        assertEquals(upload.sha256(), stored.key());
        assertEquals(10 * MiB, store.size(stored.key()));
        assertTrue(allocated < 4 * MiB, "allocated " + allocated + " bytes for a 10 MiB upload");
    }

    @Test
    void overTheLimitKeepsNothingAndStopsReading() throws Exception {
        Generated endless = new Generated(Long.MAX_VALUE);
        MediaTooLargeException e = assertThrows(MediaTooLargeException.class, () -> store.put(endless, 1000));
        assertEquals(1000, e.limit());
        assertTrue(endless.read <= 1000 + FileMediaStore.BUFFER_BYTES, "read " + endless.read + " bytes");

        assertThrows(MediaTooLargeException.class, () -> store.put(new Generated(5 * MiB + 1), 5 * MiB));
        assertEquals(List.of(), storedFiles());
        assertEquals(List.of(), tmpFiles());
    }

    @Test
    void aStreamThatFailsMidwayLeavesNothing() throws Exception {
        IOException broken = new IOException("connection reset");
        InputStream failing = new Generated(3 * MiB) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= MiB) throw broken;
                return super.read(b, off, len);
            }
        };
        assertSame(broken, assertThrows(IOException.class, () -> store.put(failing, 10 * MiB)));
        assertEquals(List.of(), storedFiles());
        assertEquals(List.of(), tmpFiles());
    }

    @Test
    void typesComeFromTheBytes() throws Exception {
        byte[] png = bytes(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 'I', 'H', 'D', 'R',
                0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0);
        byte[] jpeg = bytes(0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0);
        byte[] gif = "GIF89a\u0001\u0000\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1);
        byte[] pdf = "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<<>>\nendobj\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] text = "Hello, Switchboard!\nA plain line of text.\n".getBytes(StandardCharsets.UTF_8);
        byte[] random = new byte[4096];
        new java.util.Random(42).nextBytes(random);

        assertEquals("image/png", store.put(new ByteArrayInputStream(png), 1000).detectedType());
        assertEquals("image/jpeg", store.put(new ByteArrayInputStream(jpeg), 1000).detectedType());
        assertEquals("image/gif", store.put(new ByteArrayInputStream(gif), 1000).detectedType());
        assertEquals("application/pdf", store.put(new ByteArrayInputStream(pdf), 1000).detectedType());
        assertEquals("text/plain", store.put(new ByteArrayInputStream(text), 1000).detectedType());
        assertEquals("application/octet-stream", store.put(new ByteArrayInputStream(random), 10_000).detectedType());
    }

    @Test
    void theTypeIsDetectedFromTheFirstBytesOfALargeUpload() throws Exception {
        byte[] pdfHead = "%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII);
        InputStream upload = new java.io.SequenceInputStream(new ByteArrayInputStream(pdfHead), new Generated(MiB));
        assertEquals("application/pdf", store.put(upload, 2 * MiB).detectedType());
    }

    @Test
    void malformedKeysFindNothingAndTouchNothing() throws Exception {
        Path outside = Files.writeString(dir.resolve("passwd"), "root:x:0:0");
        StoredMedia kept = store.put(new ByteArrayInputStream(new byte[] {7, 7, 7}), 10);
        List<String> malformed = List.of("../etc/passwd", "../passwd", "..", "", " ", kept.key().toUpperCase(),
                kept.key().substring(1), kept.key() + "0", kept.key().substring(0, 62) + "/.",
                "../../" + kept.key().substring(6), kept.key().substring(0, 63) + "\n", "tmp");
        for (String key : malformed) {
            assertEquals(Optional.empty(), store.open(key), key);
            assertEquals(-1, store.size(key), key);
            store.delete(key);
        }
        assertEquals(Optional.empty(), store.open(null));
        assertEquals(-1, store.size(null));
        store.delete(null);

        assertTrue(Files.exists(outside));
        assertEquals(3, store.size(kept.key()));
    }

    @Test
    void unknownKeysFindNothing() throws Exception {
        String unknown = "0".repeat(64);
        assertEquals(Optional.empty(), store.open(unknown));
        assertEquals(-1, store.size(unknown));
    }

    @Test
    void deleteIsIdempotent() throws Exception {
        StoredMedia kept = store.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10);
        store.delete(kept.key());
        assertEquals(-1, store.size(kept.key()));
        assertEquals(Optional.empty(), store.open(kept.key()));
        store.delete(kept.key());
        store.delete("f".repeat(64));
        assertEquals(List.of(), storedFiles());

        assertEquals(kept, store.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10), "stored again after delete");
        assertEquals(3, store.size(kept.key()));
    }

    @Test
    void staleUploadsAreRemovedFreshOnesKept() throws Exception {
        Path tmp = Files.createDirectories(root.resolve(FileMediaStore.TMP));
        Path stale = Files.writeString(tmp.resolve("upload-1.part"), "left behind");
        Path fresh = Files.writeString(tmp.resolve("upload-2.part"), "still arriving");
        Instant now = Instant.now();
        Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofHours(2))));

        assertEquals(1, store.removeStaleUploads(now.minus(Duration.ofHours(1))));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh));
        assertEquals(0, new FileMediaStore(dir.resolve("never-used"), TYPES).removeStaleUploads(now));
    }

    private byte[] read(String key) throws IOException {
        try (InputStream in = store.open(key).orElseThrow()) {
            return in.readAllBytes();
        }
    }

    /** Files kept under keys: everything below the root but tmp/. */
    private List<Path> storedFiles() throws IOException {
        if (!Files.exists(root)) return List.of();
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.startsWith(root.resolve(FileMediaStore.TMP))).toList();
        }
    }

    private List<Path> tmpFiles() throws IOException {
        Path tmp = root.resolve(FileMediaStore.TMP);
        if (!Files.exists(tmp)) return List.of();
        try (Stream<Path> files = Files.list(tmp)) {
            return files.toList();
        }
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** {@code length} pseudo-random bytes made while read, hashed on the way; never held whole. */
    static class Generated extends InputStream {
        private final long length;
        private final MessageDigest digest;
        private long state = 0x9E3779B97F4A7C15L;
        long read;

        Generated(long length) throws Exception {
            this.length = length;
            this.digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read >= length) return -1;
            int n = (int) Math.min(len, length - read);
            for (int i = 0; i < n; i++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                b[off + i] = (byte) state;
            }
            digest.update(b, off, n);
            read += n;
            return n;
        }

        String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
