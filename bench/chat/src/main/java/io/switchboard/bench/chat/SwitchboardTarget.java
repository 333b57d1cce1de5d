package io.switchboard.bench.chat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The runnable jar, started as the README starts it ({@code java -XX:+UseParallelGC -jar}) with a
 * fresh home, so its embedded PostgreSQL starts empty.
 */
final class SwitchboardTarget extends Target {
    /** PostgreSQL 15+ backends publish their counters at the latest 10 s after going idle. */
    private static final long PG_STATS_DELAY_MILLIS = 11_000;

    private final Path jar;
    private final Path home;
    private long postmaster;

    SwitchboardTarget(Path work, Path jar) throws IOException {
        super("switchboard", work);
        this.jar = jar;
        this.home = work.resolve("switchboard-home");
    }

    @Override
    List<String> command() { return javaCommand("-jar", jar.toString()); }

    @Override
    Map<String, String> environment() {
        return Map.of("SWITCHBOARD_HOME", home.toString(), "SWITCHBOARD_HTTP_PORT", Integer.toString(port),
                "SWITCHBOARD_BIND", "127.0.0.1", "SWITCHBOARD_ADMIN_TOKEN", "chat-bench-admin-token-0123456789");
    }

    @Override
    String readyLine() { return "Switchboard ready on"; }

    @Override
    void start() throws Exception {
        super.start();
        postmaster = Long.parseLong(pidFileLine(0));
    }

    /** Line {@code index} of the database's postmaster.pid: 0 is its pid, 3 its port. */
    private String pidFileLine(int index) throws IOException {
        return Files.readAllLines(home.resolve("data/pg/postmaster.pid")).get(index).trim();
    }

    @Override
    List<String> signIn(Api api, List<String> handles) throws Exception {
        return Parallel.map(handles.size(), i -> {
            String h = handles.get(i);
            api.register(h, "password of " + h);
            return api.login(h, "password of " + h);
        });
    }

    @Override
    double cpuSeconds() { return jvmCpuSeconds() + databaseCpuSeconds(); }

    double databaseCpuSeconds() { return ProcStats.treeCpuSeconds(postmaster); }

    @Override
    DbCounters dbCounters() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + pidFileLine(3) + "/postgres";
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT sum(tup_inserted + tup_updated + tup_deleted), sum(xact_commit)"
                     + " FROM pg_stat_database")) {
            r.next();
            return new DbCounters(r.getLong(1), r.getLong(2));
        }
    }

    @Override
    long statsDelayMillis() { return PG_STATS_DELAY_MILLIS; }

    /** SIGTERM to the server, which stops its database; a database left behind is stopped too. */
    @Override
    void stop() throws InterruptedException {
        super.stop();
        if (postmaster == 0) {
            try {
                postmaster = Long.parseLong(pidFileLine(0));
            } catch (IOException | RuntimeException e) {
                return; // the database never started
            }
        }
        if (postmaster > 0) {
            ProcessHandle.of(postmaster).ifPresent(pg -> {
                pg.destroy();
                try {
                    pg.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    pg.destroyForcibly();
                }
            });
        }
    }
}
