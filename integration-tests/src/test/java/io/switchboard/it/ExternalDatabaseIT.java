package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The same account scenario with SWITCHBOARD_DB_URL pointing at a PostgreSQL the test starts. */
class ExternalDatabaseIT {

    @Test
    void accountsOnAnExternalPostgres() throws Exception {
        Path work = Switchboard.workDir("external-db");
        try (ExternalPostgres pg = ExternalPostgres.start(work.resolve("pg"))) {
            Path home = work.resolve("home");
            try (Switchboard sb = Switchboard.start(home, Switchboard.env(
                    "SWITCHBOARD_DB_URL", pg.jdbcUrl(), "SWITCHBOARD_DB_USER", "switchboard",
                    "SWITCHBOARD_DB_PASSWORD", "unused-with-trust"))) {
                AccountFlows.registerLoginMeDirectoryLogout(sb.api(), sb.wsUrl());
                assertFalse(Files.exists(home.resolve("data/pg")), "no embedded database is started");
                sb.stop();
                sb.restart();
                AccountFlows.accountsStillThere(sb.api());
                sb.kill();
                sb.restart();
                AccountFlows.accountsStillThere(sb.api());
                assertTrue(sb.outputContains("Switchboard ready on http://127.0.0.1:" + sb.port()));
            }
        }
    }
}
