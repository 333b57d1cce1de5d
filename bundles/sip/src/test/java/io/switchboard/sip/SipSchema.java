package io.switchboard.sip;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A real PostgreSQL with the sip schema's migrations applied in version order, as the storage bundle does. */
public final class SipSchema {
    private SipSchema() {}

    public static EmbeddedPostgres start() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Path dir = Path.of(SipSchema.class.getClassLoader().getResource("db/migration/sip").toURI());
        List<Path> migrations;
        try (Stream<Path> files = Files.list(dir)) {
            migrations = files.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted(Comparator.comparingInt(SipSchema::version)).toList();
        }
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA sip; SET search_path TO sip");
            for (Path m : migrations) s.execute(Files.readString(m));
        }
        return postgres;
    }

    private static int version(Path migration) {
        String name = migration.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.indexOf("__")));
    }
}
