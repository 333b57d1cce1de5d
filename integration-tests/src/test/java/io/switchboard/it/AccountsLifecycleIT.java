package io.switchboard.it;

import static io.switchboard.it.Api.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Accounts, sessions and the directory over real HTTP and WebSocket against the runnable jar on the
 * embedded PostgreSQL; then a clean restart and a kill -9 on the same home keep every account.
 */
class AccountsLifecycleIT {

    @Test
    void accountsSurviveRestartAndKill() throws Exception {
        Path home = Switchboard.workDir("lifecycle");
        try (Switchboard sb = Switchboard.start(home)) {
            Api api = sb.api();
            AccountFlows.registerLoginMeDirectoryLogout(api, sb.wsUrl());

            sb.stop();
            assertFalse(Files.exists(home.resolve("data/pg/postmaster.pid")),
                    "a clean stop also stops the embedded database");
            sb.restart();
            AccountFlows.accountsStillThere(api);

            long pgBefore = postmasterPid(home);
            sb.kill();
            assertTrue(running(pgBefore), "kill -9 of the JVM leaves the database process behind");
            sb.restart();
            AccountFlows.accountsStillThere(api);
            long pgAfter = postmasterPid(home);
            assertTrue(running(pgAfter));
            assertTrue(pgAfter == pgBefore || !running(pgBefore),
                    "the orphaned database was taken over or stopped, not left running beside a second one");
        }
    }

    /** Alive and not a zombie (nothing may reap orphans in a container). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
            return !"Z".equals(state) && !"X".equals(state);
        } catch (Exception e) {
            return false;
        }
    }

    static long postmasterPid(Path home) throws Exception {
        List<String> lines = Files.readAllLines(home.resolve("data/pg/postmaster.pid"));
        return Long.parseLong(lines.get(0).trim());
    }
}
