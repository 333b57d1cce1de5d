package io.switchboard.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.gateway.rest.UpdatesResourceAccess;
import io.switchboard.sdk.api.ApiException;
import org.junit.jupiter.api.Test;

class CursorParsingTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void streamSinceAcceptsDigitsAsTextOrNumber() throws Exception {
        assertEquals(0, StreamConnection.parseSince(null));
        assertEquals(0, StreamConnection.parseSince(json.readTree("null")));
        assertEquals(42, StreamConnection.parseSince(json.readTree("\"42\"")));
        assertEquals(42, StreamConnection.parseSince(json.readTree("42")));
    }

    @Test
    void streamSinceRefusesAnythingElse() {
        for (String bad : new String[] {"\"-1\"", "-1", "\"abc\"", "{\"$gt\":0}", "[1]", "1.5", "\"\"",
                "\"99999999999999999999\""}) {
            assertThrows(IllegalArgumentException.class, () -> StreamConnection.parseSince(json.readTree(bad)), bad);
        }
    }

    @Test
    void longPollParameters() {
        assertEquals(0, UpdatesResourceAccess.cursor(null));
        assertEquals(17, UpdatesResourceAccess.cursor("17"));
        assertEquals(30, UpdatesResourceAccess.timeout(null));
        assertEquals(0, UpdatesResourceAccess.timeout("0"));
        for (String bad : new String[] {"x", "-1", "1e3", "99999999999999999999"}) {
            assertThrows(ApiException.class, () -> UpdatesResourceAccess.cursor(bad), bad);
        }
        for (String bad : new String[] {"61", "abc", "-5", "1000"}) {
            assertThrows(ApiException.class, () -> UpdatesResourceAccess.timeout(bad), bad);
        }
    }
}
