package io.switchboard.launcher;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real PostgreSQL processes: data survives a clean restart and a JVM killed with SIGKILL. */
class EmbeddedDatabaseTest {
    @TempDir
    Path tmp;

    @Test
    void dataSurvivesStopAndStart() throws Exception {
        Path dir = tmp.resolve("pg");
        long t0 = System.nanoTime();
        EmbeddedDatabase db = EmbeddedDatabase.start(dir);
        long first = System.nanoTime() - t0;
        int pid;
        try {
            assertTrue(db.jdbcUrl().startsWith("jdbc:postgresql://localhost:" + db.port() + "/"));
            execute(db, "create table notes (id serial primary key, text text not null)");
            execute(db, "insert into notes (text) values ('kept')");
            pid = postmasterPid(dir);
        } finally {
            db.close();
        }
        assertFalse(ProcessHandle.of(pid).map(EmbeddedDatabase::alive).orElse(false), "postgres must be stopped by close()");
        assertFalse(Files.exists(dir.resolve("postmaster.pid")));
        assertDoesNotThrow(db::close, "close() twice");

        t0 = System.nanoTime();
        try (EmbeddedDatabase again = EmbeddedDatabase.start(dir)) {
            long second = System.nanoTime() - t0;
            System.out.printf("EmbeddedDatabase start: first (initdb) %d ms, on existing data %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(first), TimeUnit.NANOSECONDS.toMillis(second));
            assertEquals(List.of("kept"), query(again, "select text from notes order by id"));
        }
    }

    /** What a commit's acknowledgement promises: its WAL is flushed, and flushed to the disk. */
    @Test
    void commitsAreFlushedToTheDisk() throws Exception {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(tmp.resolve("pg"))) {
            assertEquals(List.of("on"), query(db, "show fsync"));
            assertEquals(List.of("on"), query(db, "show synchronous_commit"));
            assertEquals(List.of("on"), query(db, "show full_page_writes"));
            // New WAL files are not zero-filled by a waiting commit (the flushes above still cover them).
            assertEquals(List.of("off"), query(db, "show wal_init_zero"));
        }
    }

    /**
     * A table that grows is written to the disk within seconds, not left to the kernel's 30 s
     * writeback ({@link DataFileWriteback}); the thread that does it ends with the database.
     */
    @Test
    void changedTableFilesAreWrittenBackAndTheThreadEndsWithTheDatabase() throws Exception {
        Path dir = tmp.resolve("pg");
        Path table;
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            execute(db, "create table grows (id bigint primary key, text text not null)");
            execute(db, "insert into grows select g, repeat('x', 200) from generate_series(1, 20000) g");
            table = dir.resolve(query(db, "select pg_relation_filepath('grows')").get(0)).toAbsolutePath().normalize();
            assertTrue(Files.size(table) > 1_000_000, "the inserts extended the table's file: " + Files.size(table));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!db.writeback().lastFlushed().contains(table) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(db.writeback().lastFlushed().contains(table),
                    "the table's file " + table + " was not written back; last pass: " + db.writeback().lastFlushed());
            assertTrue(threadAlive(DataFileWriteback.THREAD_NAME), "the writeback thread runs with the database");
        }
        assertFalse(threadAlive(DataFileWriteback.THREAD_NAME), "the writeback thread ends with close()");
    }

    /** Whether a live thread has this name. */
    static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals(name));
    }

    @Test
    void startsAfterTheJvmThatRanItWasKilled() throws Exception {
        Path dir = tmp.resolve("pg");
        Process child = startChild(dir, "before-kill");
        int oldPid;
        try {
            String ready = awaitReady(child);
            assertNotNull(ready, "the child JVM did not start the database");
            oldPid = postmasterPid(dir);
            assertTrue(ProcessHandle.of(oldPid).map(EmbeddedDatabase::alive).orElse(false));
        } finally {
            child.destroyForcibly(); // kill -9 of the JVM; PostgreSQL keeps running on its own
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(ProcessHandle.of(oldPid).map(EmbeddedDatabase::alive).orElse(false),
                "the orphaned postmaster should outlive the killed JVM (else this test proves nothing)");
        assertTrue(Files.exists(dir.resolve("epg-lock")), "zonky's lock file is left behind");

        long t0 = System.nanoTime();
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            System.out.printf("EmbeddedDatabase start after a killed JVM: %d ms%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertFalse(ProcessHandle.of(oldPid).map(EmbeddedDatabase::alive).orElse(false), "the leftover must be stopped");
            assertNotEquals(oldPid, postmasterPid(dir));
            assertEquals(List.of("before-kill"), query(db, "select text from notes order by id"));
            execute(db, "insert into notes (text) values ('after')");
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            assertEquals(List.of("before-kill", "after"), query(db, "select text from notes order by id"));
        }
    }

    @Test
    void stalePidFileOfADeadProcessDoesNotBlockTheStart() throws Exception {
        Path dir = tmp.resolve("pg");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            execute(db, "create table notes (id int)");
        }
        // a pid file left by a postmaster that died with the machine: its pid is now some other process
        // (this JVM) or nobody
        long notPostgres = ProcessHandle.current().pid();
        Files.writeString(dir.resolve("postmaster.pid"), notPostgres + "\n" + dir + "\n0\n5432\n");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            assertEquals(List.of("0"), query(db, "select count(*) from notes"));
        }
        assertTrue(ProcessHandle.current().isAlive());

        // and one whose process is gone
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("postmaster.pid"), gone.pid() + "\n" + dir + "\n0\n5432\n");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(dir)) {
            assertEquals(List.of("0"), query(db, "select count(*) from notes"));
        }
    }

    private static Process startChild(Path dir, String text) throws IOException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                EmbeddedDatabaseChild.class.getName(), dir.toString(), text);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        return pb.start();
    }

    private static String awaitReady(Process child) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            String line = out.readLine();
            if (line == null) {
                return null;
            }
            if (line.startsWith("READY ")) {
                return line;
            }
        }
        return null;
    }

    private static int postmasterPid(Path dir) throws IOException {
        return Integer.parseInt(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
    }

    private static void execute(EmbeddedDatabase db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<String> query(EmbeddedDatabase db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
