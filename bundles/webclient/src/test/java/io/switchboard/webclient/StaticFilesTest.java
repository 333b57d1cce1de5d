package io.switchboard.webclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticFilesTest {
    private final List<String> asked = new ArrayList<>();
    private final StaticFiles files = new StaticFiles(name -> {
        asked.add(name);
        return StaticFilesTest.class.getClassLoader().getResource(name);
    });

    @Test
    void servesTheClientsOwnFilesWithTheirTypes() {
        StaticFiles.Asset index = files.find("index.html").orElseThrow();
        assertEquals("text/html; charset=utf-8", index.contentType());
        assertTrue(new String(index.bytes(), java.nio.charset.StandardCharsets.UTF_8).contains("<script type=\"module\""));
        assertTrue(index.isHtml());
        assertEquals("text/javascript; charset=utf-8", files.find("js/app.js").orElseThrow().contentType());
        assertEquals("text/css; charset=utf-8", files.find("css/app.css").orElseThrow().contentType());
        assertFalse(files.find("js/app.js").orElseThrow().isHtml());
    }

    @Test
    void eachFileHasItsOwnStableValidatorAndIsReadOnce() {
        String first = files.find("js/api.js").orElseThrow().etag();
        assertSame(files.find("js/api.js").orElseThrow(), files.find("js/api.js").orElseThrow());
        assertEquals(first, files.find("js/api.js").orElseThrow().etag());
        assertNotEquals(first, files.find("js/stream.js").orElseThrow().etag());
        assertEquals(1, asked.stream().filter("web/js/api.js"::equals).count());
    }

    @Test
    void neverLeavesTheWebFolder() {
        for (String path : List.of("../pom.xml", "..", "js/../../bnd.bnd", "js/..", "./index.html", "js/./app.js",
                "/etc/passwd", "js//app.js", "js\\app.js", "index.html/", ".hidden.js", "js/.app.js",
                "index.html\u0000.js", "%2e%2e/x.js", "META-INF/MANIFEST.MF", "io/switchboard/webclient/StaticFiles.class",
                "js/app.js?x=1", "index.html ", "\u0430pp.js")) {
            assertTrue(files.find(path).isEmpty(), path);
        }
        // every lookup that reached the bundle stayed inside web/
        assertTrue(asked.stream().allMatch(n -> n.startsWith("web/") && !n.contains("..")), asked.toString());
    }

    @Test
    void unknownFilesAndKindsDoNotExist() {
        assertTrue(files.find("nope.html").isEmpty());
        assertTrue(files.find("js/screens/nope.js").isEmpty());
        assertTrue(files.find("js").isEmpty(), "a folder is not a file");
        assertTrue(files.find("js/screens").isEmpty());
        assertTrue(files.find("index").isEmpty());
        assertTrue(files.find("index.exe").isEmpty(), "only known kinds of file are served");
        assertTrue(files.find("").isEmpty());
        assertTrue(files.find(null).isEmpty());
        assertTrue(files.find("a/".repeat(150) + "x.js").isEmpty());
    }

    @Test
    void contentTypesByExtension() {
        assertEquals("image/svg+xml", StaticFiles.contentType("img/logo.svg").orElseThrow());
        assertEquals("image/png", StaticFiles.contentType("icon.png").orElseThrow());
        assertEquals("application/manifest+json", StaticFiles.contentType("app.webmanifest").orElseThrow());
        assertEquals("text/javascript; charset=utf-8", StaticFiles.contentType("js/screens/login.js").orElseThrow());
        assertTrue(StaticFiles.contentType("js.folder/file").isEmpty());
        assertTrue(StaticFiles.contentType("script.JS").isEmpty(), "extensions are matched exactly");
    }

    @Test
    void aFileTheBundleDoesNotHaveIsNotFound() {
        assertTrue(new StaticFiles(name -> null).find("index.html").isEmpty());
    }
}
