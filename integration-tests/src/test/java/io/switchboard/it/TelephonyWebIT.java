package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A company's telephony settings in the web client over the real runtime: Debian's headless Chromium
 * driven by playwright-core through the web client's e2e harness, as WebClientIT does, with the scenarios
 * of bundles/webclient/src/test/e2e/telephony.mjs. The business account adds and deletes SIP trunks (they
 * talk to nothing here, so only "a status is shown" is asked of them) and writes its routing rules; a
 * person sees no telephony and can call the company from its profile. Then the API must hold what the
 * browser did, and no answer may hold the trunk's password.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TelephonyWebIT {
    private static final Path E2E_SOURCES = Path.of(System.getProperty("webclient.e2e", "../bundles/webclient/src/test/e2e"));
    private static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));
    private static final List<String> E2E_FILES = List.of("package.json", "package-lock.json", "harness.mjs", "telephony.mjs");
    private static final String BROWSER_SCENARIOS = "3 passed, 0 failed";
    private static final String PASSWORD = "pbx-secret-4711-telephony";
    private Switchboard sb;
    private String base;
    private String acme;
    private String bob;

    @BeforeAll
    void start() throws Exception {
        sb = Switchboard.start(Switchboard.workDir("telephony-web"));
        base = "http://127.0.0.1:" + sb.port();
        Api api = sb.api();
        acme = api.signUp("acme", "business", "Acme Ltd");
        bob = api.signUp("bob", "person", "Bob Baker");
    }

    @AfterAll
    void stop() throws Exception {
        if (sb != null) sb.close();
    }

    @Test
    void aCompanyManagesTrunksAndRoutingInTheBrowserAndAPersonCallsIt() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) fail(CHROMIUM + " is missing: install Debian's chromium (.ci/run does)");
        Path work = Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().resolveSibling("telephony-e2e");
        // Beside WebClientIT's pictures, in a folder of their own: WebClientIT clears the .png files of its folder.
        Path screenshots = work.resolveSibling("screenshots").resolve("telephony");
        installDriver(work);
        if (Files.isDirectory(screenshots)) {
            try (var old = Files.list(screenshots)) {
                for (Path png : old.filter(p -> p.toString().endsWith(".png")).toList()) Files.delete(png);
            }
        }
        Path log = work.resolve("run.log");
        int exit = run(work, log, 300, "node", "telephony.mjs", base, screenshots.toString(), "acme", "bob", PASSWORD);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, exit, "the telephony scenarios failed (screenshots in " + screenshots + "):\n" + output);
        assertTrue(output.contains(BROWSER_SCENARIOS), output);
        assertTrue(output.contains("api answers checked: "), output);
        for (String shot : List.of("trunks", "trunk-error", "routing-error", "routing-saved", "telephony-after-reload",
                "phone-telephony", "person-telephony", "person-views-company")) {
            assertTrue(Files.size(screenshots.resolve(shot + ".png")) > 1000, shot);
        }

        // The trunks the browser left: main (peer) and office (register); spare was added and deleted.
        Api api = sb.api();
        Api.Reply trunks = api.get("/api/v1/trunks", acme);
        assertEquals(200, trunks.status(), trunks.toString());
        List<String> names = new ArrayList<>();
        trunks.json().path("trunks").forEach(t -> names.add(t.path("name").asText()));
        assertEquals(List.of("main", "office"), names, trunks.body());
        JsonNode main = trunks.json().path("trunks").get(0);
        assertEquals("peer", main.path("mode").asText(), main.toString());
        assertEquals("127.0.0.2", main.path("host").asText(), main.toString());
        assertEquals(5080, main.path("port").asInt(), main.toString());
        assertEquals("udp", main.path("transport").asText(), main.toString());
        assertEquals(1, main.path("priority").asInt(), main.toString());
        assertTrue(main.path("maxChannels").isNull() || main.path("maxChannels").isMissingNode(), main.toString());
        JsonNode office = trunks.json().path("trunks").get(1);
        assertEquals("register", office.path("mode").asText(), office.toString());
        assertEquals("127.0.0.3", office.path("host").asText(), office.toString());
        assertEquals(5060, office.path("port").asInt(), office.toString());
        assertEquals("tcp", office.path("transport").asText(), office.toString());
        assertEquals("acme", office.path("username").asText(), office.toString());
        assertEquals("pbx.local", office.path("realm").asText(), office.toString());
        assertEquals(5, office.path("priority").asInt(), office.toString());
        assertEquals(8, office.path("maxChannels").asInt(), office.toString());
        assertFalse(office.has("password"), office.toString());
        for (JsonNode t : trunks.json().path("trunks")) {
            assertTrue(List.of("registered", "unregistered", "failed", "reachable", "unreachable")
                    .contains(t.path("status").asText()), t.toString());
        }

        // The routing rules the browser saved: the example of docs/routing.md over the trunk main.
        Api.Reply routing = api.get("/api/v1/routing", acme);
        assertEquals(200, routing.status(), routing.toString());
        JsonNode rules = routing.json();
        assertEquals("Europe/Berlin", rules.path("timezone").asText(), rules.toString());
        assertEquals(2, rules.path("rules").size(), rules.toString());
        JsonNode officeHours = rules.path("rules").get(0);
        assertEquals("office hours", officeHours.path("name").asText(), rules.toString());
        assertEquals("18:00", officeHours.path("when").path("to").asText(), rules.toString());
        assertEquals("main", officeHours.path("ring").path("members").get(0).path("trunk").asText(), rules.toString());
        assertEquals("alice", officeHours.path("ring").path("members").get(2).path("handle").asText(), rules.toString());
        assertTrue(officeHours.path("ring").path("skipBusy").asBoolean(), rules.toString());
        assertEquals("after hours", rules.path("rules").get(1).path("name").asText(), rules.toString());
        assertEquals("linear", rules.path("rules").get(1).path("ring").path("strategy").asText(), rules.toString());

        // The password went in once and comes out nowhere.
        for (Api.Reply answer : List.of(trunks, routing, api.get("/api/v1/me", acme), api.get("/api/v1/accounts/acme", bob),
                api.get("/api/v1/directory?q=acme", bob))) {
            assertEquals(200, answer.status(), answer.toString());
            assertFalse(answer.body().contains(PASSWORD), answer.toString());
        }
        // A person has no telephony of their own.
        assertEquals("business_only", api.get("/api/v1/trunks", bob).errorCode());
    }

    /** playwright-core from the web client's lockfile, once per build directory; npm ci never fetches a browser. */
    private static void installDriver(Path work) throws Exception {
        Files.createDirectories(work);
        boolean changed = false;
        for (String name : E2E_FILES) {
            byte[] source = Files.readAllBytes(E2E_SOURCES.resolve(name));
            Path target = work.resolve(name);
            if (name.startsWith("package") && (!Files.exists(target) || !java.util.Arrays.equals(source, Files.readAllBytes(target)))) {
                changed = true;
            }
            Files.write(target, source);
        }
        if (!changed && Files.isDirectory(work.resolve("node_modules/playwright-core"))) return;
        Path log = work.resolve("npm-ci.log");
        int exit = run(work, log, 300, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
        if (exit != 0) fail("npm ci failed:\n" + Files.readString(log));
    }

    private static int run(Path dir, Path log, int timeoutSeconds, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        pb.environment().put("CHROMIUM_PATH", CHROMIUM.toString());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            fail(String.join(" ", command) + " took over " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        return p.exitValue();
    }
}
