package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The web client over the real runtime: how its files are served, and its end-to-end scenarios in
 * Debian's headless Chromium driven by playwright-core (bundles/webclient/src/test/e2e). The browser
 * is the machine's own (.ci/run installs chromium, node and npm); nothing downloads one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebClientIT {
    private static final Path CHROMIUM = BrowserScenarios.CHROMIUM;
    private static final String BROWSER_SCENARIOS = "5 passed, 0 failed";
    private final HttpClient http = HttpClient.newHttpClient();
    private Switchboard sb;
    private String base;

    @BeforeAll
    void start() throws Exception {
        sb = Switchboard.start(Switchboard.workDir("webclient"));
        base = "http://127.0.0.1:" + sb.port();
    }

    @AfterAll
    void stop() throws Exception {
        if (sb != null) sb.close();
    }

    @Test
    void theClientIsServedAtTheRootWithAStrictPolicy() throws Exception {
        HttpResponse<String> index = get("/", Map.of());
        assertEquals(200, index.statusCode());
        assertEquals("text/html;charset=utf-8", index.headers().firstValue("Content-Type").orElse("").replace(" ", ""));
        assertTrue(index.body().contains("<script type=\"module\" src=\"js/app.js\">"), index.body());
        assertEquals("nosniff", index.headers().firstValue("X-Content-Type-Options").orElse(""));
        String csp = index.headers().firstValue("Content-Security-Policy").orElse("");
        for (String rule : List.of("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                "frame-ancestors 'none'", "connect-src 'self' ws: wss:", "img-src 'self' blob: data:")) {
            assertTrue(csp.contains(rule), "CSP has " + rule + ": " + csp);
        }
        assertTrue(index.headers().firstValue("Cache-Control").orElse("").contains("no-cache"));

        String etag = index.headers().firstValue("ETag").orElseThrow();
        assertEquals(304, get("/", Map.of("If-None-Match", etag)).statusCode(), "revalidation by ETag");

        HttpResponse<String> js = get("/js/app.js", Map.of());
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"), js.headers().toString());
        assertNotEquals(etag, js.headers().firstValue("ETag").orElse(""));
        assertTrue(get("/css/app.css", Map.of()).headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
    }

    @Test
    void unknownFilesAndPathsOutsideTheClientAreJson404s() throws Exception {
        for (String path : List.of("/nope.js", "/js/nope.js", "/META-INF/MANIFEST.MF",
                "/io/switchboard/webclient/WebClientResource.class", "/js/%2e%2e/index.html", "/js/%2E%2E/%2E%2E/bnd.bnd",
                "/nothing/here", "/api/v1/nope", "/js/")) {
            HttpResponse<String> r = get(path, Map.of());
            assertTrue(r.statusCode() == 404 || r.statusCode() == 400, path + " → " + r.statusCode() + " " + r.body());
            assertFalse(r.body().contains("js/app.js"), path + " must not serve the client: " + r.body());
            if (r.statusCode() == 404) assertTrue(r.body().contains("\"not_found\""), path + ": " + r.body());
        }
        // The API keeps every path: unknown endpoints stay JSON 404s whatever the method; known ones answer.
        Api api = sb.api();
        assertEquals("not_found", api.post("/api/v1/nope", null, "{}").errorCode());
        assertEquals("not_found", api.delete("/api/v1/nope", null).errorCode());
        assertEquals(200, api.get("/api/v1/health", null).status());
        assertEquals(200, api.get("/api/v1/openapi.yaml", null).status());
    }

    @Test
    void browserScenariosPass() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) fail(CHROMIUM + " is missing: install Debian's chromium (.ci/run does)");
        Path work = Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().resolveSibling("webclient-e2e");
        Path screenshots = work.resolveSibling("screenshots");
        BrowserScenarios.installDriver(work, "run.mjs", "png.mjs");
        if (Files.isDirectory(screenshots)) {
            // Only this run's pictures, so a FAILED-*.png left from an earlier run misleads no one.
            try (var old = Files.list(screenshots)) {
                for (Path png : old.filter(p -> p.toString().endsWith(".png")).toList()) Files.delete(png);
            }
        }
        Path log = work.resolve("run.log");
        int exit = BrowserScenarios.run(work, log, 300, "node", "run.mjs", base, screenshots.toString());
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, exit, "the browser scenarios failed (screenshots in " + screenshots + "):\n" + output);
        assertTrue(output.contains(BROWSER_SCENARIOS), output);
        for (String shot : List.of("desktop-conversation", "phone-conversation", "phone-reconnecting", "group-with-image")) {
            assertTrue(Files.size(screenshots.resolve(shot + ".png")) > 1000, shot);
        }
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
