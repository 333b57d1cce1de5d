package io.switchboard.gateway.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.gateway.rest.UpdatesResourceAccess;
import io.switchboard.sdk.api.ApiException;
import org.junit.jupiter.api.Test;

class CursorParsingTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void cursorsRoundTripWithOnePositionPerSource() {
        Cursor c = Cursor.parse("acct12.chat3042");
        assertEquals(12, c.get("acct"));
        assertEquals(3042, c.get("chat"));
        assertEquals(0, c.get("calls"), "a source missing from a cursor is at its start");
        assertEquals("acct12.chat3042", c.toString());
        assertEquals("acct12.calls7.chat3042", c.with("calls", 7).toString(), "sources are written sorted");
        assertEquals("acct12.chat3043", c.with("chat", 3043).toString());
        assertEquals("acct12.chat3042", c.toString(), "cursors are immutable");
        assertSame(c, c.with("chat", 3042));
        assertEquals(Cursor.parse("chat3042.acct12"), c);
        assertNotEquals(Cursor.parse("acct12"), c);
    }

    @Test
    void bareDigitsArePositionsOfTheAccountSource() {
        assertEquals(42, Cursor.parse("42").get(Cursor.ACCOUNT_SOURCE));
        assertEquals("acct0", Cursor.parse("0").toString());
        assertEquals("acct0", Cursor.START.toString());
        assertEquals("acct12", Cursor.parse("acct12.chat0").toString(), "a source at 0 is left out");
        assertEquals(Cursor.parse("acct12"), Cursor.parse("chat0.acct12"));
        assertEquals("acct12", Cursor.parse("acct12.chat5").with("chat", 0).toString());
    }

    @Test
    void streamSinceAcceptsCursorsAsTextOrNumber() throws Exception {
        assertNull(StreamConnection.parseSince(null));
        assertNull(StreamConnection.parseSince(json.readTree("null")));
        assertEquals(42, StreamConnection.parseSince(json.readTree("\"42\"")).get("acct"));
        assertEquals(42, StreamConnection.parseSince(json.readTree("42")).get("acct"));
        assertEquals(9, StreamConnection.parseSince(json.readTree("\"acct1.chat9\"")).get("chat"));
    }

    @Test
    void streamSinceRefusesAnythingElse() {
        for (String bad : new String[] {"\"-1\"", "-1", "\"abc\"", "{\"$gt\":0}", "[1]", "1.5", "\"\"",
                "\"99999999999999999999\"", "\"acct1..chat2\"", "\"acct1.acct2\"", "\"ACCT1\"", "\"acct-1\"",
                "\"chat1.\"", "\".chat1\"", "\"abcdefghijklmnopq1\"", "true"}) {
            assertThrows(IllegalArgumentException.class, () -> StreamConnection.parseSince(json.readTree(bad)), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Cursor.parse("a1.".repeat(400) + "b1"));
    }

    @Test
    void framesCarryPreSerialisedData() throws Exception {
        byte[] frame = Frames.event("message.created", Cursor.parse("chat5"), Frames.utf8("{\"text\":\"hi \\\"there\\\"\"}"));
        var node = json.readTree(frame);
        assertEquals("message.created", node.path("type").asText());
        assertEquals("chat5", node.path("cursor").asText());
        assertEquals("hi \"there\"", node.path("data").path("text").asText());
        // Text beyond ASCII goes out as UTF-8, the type quoted as JSON.
        byte[] wide = Frames.event("t\u00e9\"", null, Frames.utf8("{\"text\":\"gr\u00fc\u00df \ud83d\udc4b\"}"));
        assertEquals("{\"type\":\"t\u00e9\\\"\",\"cursor\":null,\"data\":{\"text\":\"gr\u00fc\u00df \ud83d\udc4b\"}}",
                new String(wide, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("gr\u00fc\u00df \ud83d\udc4b", json.readTree(wide).path("data").path("text").asText());
        assertEquals(true, json.readTree(Frames.event("typing", null, Frames.utf8("{}"))).path("cursor").isNull());
        assertEquals("a\"b", json.readTree(Frames.event("a\"b", null, Frames.utf8("{}"))).path("type").asText());
        // Written in place: exactly these bytes, and a type JSON must escape still escaped.
        assertEquals("{\"type\":\"message.created\",\"cursor\":\"acct2.chat5\",\"data\":{\"n\":1}}",
                new String(Frames.event("message.created", Cursor.parse("acct2.chat5"), Frames.utf8("{\"n\":1}")),
                        java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("a\\b\n\u0001", json.readTree(Frames.event("a\\b\n\u0001", null, Frames.utf8("{}"))).path("type").asText());
    }

    @Test
    void longPollParameters() {
        assertNull(UpdatesResourceAccess.cursor(null));
        assertNull(UpdatesResourceAccess.cursor(""));
        assertEquals(17, UpdatesResourceAccess.cursor("17").get("acct"));
        assertEquals(30, UpdatesResourceAccess.timeout(null));
        assertEquals(0, UpdatesResourceAccess.timeout("0"));
        for (String bad : new String[] {"x", "-1", "1e3", "99999999999999999999", "acct1;drop"}) {
            assertThrows(ApiException.class, () -> UpdatesResourceAccess.cursor(bad), bad);
        }
        for (String bad : new String[] {"61", "abc", "-5", "1000"}) {
            assertThrows(ApiException.class, () -> UpdatesResourceAccess.timeout(bad), bad);
        }
    }
}
