package io.switchboard.calls.call;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/** A real PostgreSQL with the calls schema's migrations applied, as the storage bundle does. */
final class CallsSchema {
    private CallsSchema() {}

    static EmbeddedPostgres start() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA calls; SET search_path TO calls");
            for (String m : List.of("V1__calls.sql", "V2__failed.sql")) {
                s.execute(Files.readString(Path.of(CallsSchema.class.getClassLoader().getResource("db/migration/calls/" + m).toURI())));
            }
        }
        return postgres;
    }
}
