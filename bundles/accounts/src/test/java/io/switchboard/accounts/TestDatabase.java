package io.switchboard.accounts;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A real PostgreSQL (zonky embedded binaries) with this bundle's migrations applied in version order,
 * as the storage bundle would apply them. Close it in @AfterAll.
 */
public final class TestDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;

    public TestDatabase() throws IOException, SQLException {
        postgres = EmbeddedPostgres.builder().start();
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            for (Path migration : migrations()) {
                s.execute(Files.readString(migration));
            }
        }
    }

    public DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    /** Empties every table between tests. */
    public void clear() throws SQLException {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE accounts.accounts, accounts.sessions, accounts.directory_words, accounts.blocks");
        }
    }

    static List<Path> migrations() throws IOException {
        try {
            Path dir = Path.of(TestDatabase.class.getClassLoader().getResource("db/migration/accounts").toURI());
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql"))
                        .sorted(Comparator.comparingInt(TestDatabase::version)).toList();
            }
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static int version(Path p) {
        String name = p.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
