package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server from the operating system's packages (Debian's postgresql), started by the test
 * on a free loopback port with its own data directory, as an operator would run one.
 * PostgreSQL refuses to run as root, so as root it runs as the "postgres" system user.
 */
final class ExternalPostgres implements AutoCloseable {
    private final Path bin;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;

    private ExternalPostgres(Path bin, Path data, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    static ExternalPostgres start(Path dir) throws Exception {
        Path bin = findBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path data = dir.resolve("pgdata");
        Files.createDirectories(dir);
        if (root) run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        ExternalPostgres pg = new ExternalPostgres(bin, data, Switchboard.freePort(), root);
        pg.exec(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "switchboard",
                "--auth=trust", "-E", "UTF8", "--no-sync"));
        pg.exec(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", dir.resolve("postgres.log").toString(),
                "-o", "-p " + pg.port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start"));
        pg.exec(List.of(bin.resolve("createdb").toString(), "-h", "127.0.0.1", "-p", Integer.toString(pg.port),
                "-U", "switchboard", "switchboard"));
        return pg;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/switchboard";
    }

    @Override
    public void close() throws Exception {
        exec(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"));
    }

    private void exec(List<String> command) throws Exception {
        run(command, asPostgresUser);
    }

    private static void run(List<String> command, boolean asPostgres) throws Exception {
        List<String> full = new ArrayList<>();
        if (asPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("Command failed: " + full + "\n" + out);
        }
    }

    private static Path findBin() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            fail("PostgreSQL server binaries are missing under /usr/lib/postgresql: install Debian's postgresql (.ci/run does)");
        }
        try (var versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(Path::toString))
                    .orElseThrow(() -> new AssertionError("No initdb under /usr/lib/postgresql"));
        }
    }
}
