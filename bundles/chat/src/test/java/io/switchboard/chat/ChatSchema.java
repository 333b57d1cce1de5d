package io.switchboard.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/** The chat schema in a test database, made by the real migrations in version order, as Flyway runs them. */
final class ChatSchema {
    private ChatSchema() {}

    static void migrate(DataSource database) throws Exception {
        Path folder = Path.of(ChatSchema.class.getClassLoader().getResource("db/migration/chat").toURI());
        List<Path> migrations;
        try (Stream<Path> files = Files.list(folder)) {
            migrations = files.filter(f -> f.getFileName().toString().matches("V[0-9]+__.+\\.sql"))
                    .sorted(Comparator.comparingInt(ChatSchema::version)).toList();
        }
        try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA chat");
            for (Path m : migrations) s.execute(Files.readString(m));
        }
    }

    private static int version(Path migration) {
        String name = migration.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }
}
