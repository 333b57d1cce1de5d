package io.switchboard.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The environment variables of the operating contract: defaults, and clear refusals of bad values. */
class SettingsTest {
    @Test
    void defaults() {
        Settings s = Settings.fromEnvironment(Map.of());
        assertEquals(8080, s.httpPort());
        assertEquals("0.0.0.0", s.bind());
        assertEquals(Settings.DEFAULT_HTTP_THREADS, s.httpThreads());
        assertEquals(64, s.httpThreads());
    }

    @Test
    void httpThreadsAreANumberInRange() {
        assertEquals(16, Settings.fromEnvironment(Map.of("SWITCHBOARD_HTTP_THREADS", "16")).httpThreads());
        assertEquals(500, Settings.fromEnvironment(Map.of("SWITCHBOARD_HTTP_THREADS", " 500 ")).httpThreads());
        for (String bad : new String[] {"", "sixty", "64.5", "-1", "0", "15", "10001", "{\"$gt\":1}", "99999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Settings.fromEnvironment(Map.of("SWITCHBOARD_HTTP_THREADS", bad)), bad);
            assertTrue(e.getMessage().startsWith("SWITCHBOARD_HTTP_THREADS"), e.getMessage());
        }
    }

    @Test
    void portsAreChecked() {
        for (String bad : new String[] {"http", "0", "65536", "-80"}) {
            assertThrows(IllegalArgumentException.class, () -> Settings.fromEnvironment(Map.of("SWITCHBOARD_HTTP_PORT", bad)), bad);
        }
    }
}
