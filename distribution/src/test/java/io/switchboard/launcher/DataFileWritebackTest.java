package io.switchboard.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a pass writes back, and the thread's end; {@link EmbeddedDatabaseTest} runs it on PostgreSQL. */
class DataFileWritebackTest {
    @TempDir
    Path base;

    private static final Duration NEVER = Duration.ofHours(1); // passes run only when the test calls them

    @Test
    void aPassWritesTheFilesChangedSinceThePreviousOneAndNoOthers() throws Exception {
        Path changed = Files.writeString(Files.createDirectories(base.resolve("5")).resolve("16384"), "a");
        Path unchanged = Files.writeString(base.resolve("5").resolve("16390"), "b");
        List<Path> written = new CopyOnWriteArrayList<>();
        try (DataFileWriteback w = DataFileWriteback.start(base, NEVER, written::add)) {
            w.pass(); // the first pass writes what changed since shortly before the start: both
            assertEquals(Set.of(changed, unchanged), Set.copyOf(written));
            written.clear();

            Files.setLastModifiedTime(unchanged, FileTime.from(Instant.now().minusSeconds(3600)));
            Files.writeString(changed, "more");
            w.pass();
            assertEquals(List.of(changed), written);
            assertEquals(Set.of(changed), w.lastFlushed());
            assertEquals(3, w.filesFlushed());
        }
    }

    @Test
    void aFileDroppedBeforeItsTurnIsSkipped() throws Exception {
        Path dropped = Files.writeString(base.resolve("16384"), "a");
        Path kept = Files.writeString(base.resolve("16390"), "b");
        List<Path> written = new CopyOnWriteArrayList<>();
        try (DataFileWriteback w = DataFileWriteback.start(base, NEVER, file -> {
            if (file.equals(dropped)) throw new NoSuchFileException(file.toString());
            written.add(file);
        })) {
            w.pass();
            assertEquals(List.of(kept), written);
            assertEquals(1, w.filesFlushed());
        }
    }

    @Test
    void realFilesAreWrittenOnTheThreadUntilClose() throws Exception {
        try (DataFileWriteback none = DataFileWriteback.start(base.resolve("no-cluster-yet"), NEVER)) {
            none.pass(); // no base directory: nothing to do, no error
            assertEquals(0, none.filesFlushed());
        }
        Path data = Files.createDirectories(base.resolve("data").resolve("base"));
        Path file = Files.writeString(data.resolve("16384"), "x".repeat(100_000));
        try (DataFileWriteback running = DataFileWriteback.start(base.resolve("data"), Duration.ofMillis(10))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (running.filesFlushed() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertTrue(running.lastFlushed().contains(file), "written back on its own thread: " + running.lastFlushed());
            assertTrue(EmbeddedDatabaseTest.threadAlive(DataFileWriteback.THREAD_NAME), "the thread runs");
        }
        assertFalse(EmbeddedDatabaseTest.threadAlive(DataFileWriteback.THREAD_NAME), "close() ends the thread");
    }
}
