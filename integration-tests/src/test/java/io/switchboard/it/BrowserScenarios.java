package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The web client's end-to-end scripts (bundles/webclient/src/test/e2e) as the browser tests run them:
 * copied with the harness into a work directory, playwright-core installed there from the lockfile (npm ci
 * never fetches a browser), then run by node against Debian's Chromium.
 */
final class BrowserScenarios {
    static final Path E2E_SOURCES = Path.of(System.getProperty("webclient.e2e", "../bundles/webclient/src/test/e2e"));
    static final Path CHROMIUM = Path.of(System.getProperty("chromium.path", "/usr/bin/chromium"));
    private static final List<String> DRIVER_FILES = List.of("package.json", "package-lock.json", "harness.mjs");

    private BrowserScenarios() {}

    /** A work directory of its own beside the tests' homes: {@code target/<name>}. */
    static Path workDir(String name) {
        return Path.of(System.getProperty("it.work", "target/it-work")).toAbsolutePath().resolveSibling(name);
    }

    /**
     * {@code target/screenshots/<name>}, emptied of the pictures of an earlier run (a folder per test:
     * WebClientIT clears the .png files of its own).
     */
    static Path screenshots(String name) throws IOException {
        Path dir = workDir("screenshots").resolve(name);
        if (Files.isDirectory(dir)) {
            try (var old = Files.list(dir)) {
                for (Path png : old.filter(p -> p.toString().endsWith(".png")).toList()) Files.delete(png);
            }
        }
        return dir;
    }

    /** The harness and {@code files} (scripts, scenarios) copied into {@code work}, and playwright-core once per build directory. */
    static void installDriver(Path work, String... files) throws Exception {
        Files.createDirectories(work);
        boolean changed = false;
        List<String> all = new ArrayList<>(DRIVER_FILES);
        all.addAll(List.of(files));
        for (String name : all) {
            byte[] source = Files.readAllBytes(E2E_SOURCES.resolve(name));
            Path target = work.resolve(name);
            if (name.startsWith("package") && (!Files.exists(target) || !Arrays.equals(source, Files.readAllBytes(target)))) {
                changed = true;
            }
            Files.write(target, source);
        }
        if (!changed && Files.isDirectory(work.resolve("node_modules/playwright-core"))) return;
        Path log = work.resolve("npm-ci.log");
        int exit = run(work, log, 300, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
        if (exit != 0) fail("npm ci failed:\n" + Files.readString(log));
    }

    /** What a script printed, and where it left its screenshots. */
    record Outcome(String output, Path screenshots) {
        /** Each of {@code names} was saved as a picture ({@code <name>.png}, not empty). */
        void assertScreenshots(String... names) throws IOException {
            for (String name : names) {
                Path png = screenshots.resolve(name + ".png");
                assertTrue(Files.isRegularFile(png) && Files.size(png) > 1000, png + " is missing or empty");
            }
        }
    }

    /**
     * {@code node <files[0]> <baseUrl> <screenshots> <args…>} in {@code target/<name>-e2e} beside the
     * harness and the other {@code files}, screenshots in {@code target/screenshots/<name>}; fails unless it
     * exits 0 having printed "{@code scenarios} passed, 0 failed".
     */
    static Outcome runScript(String name, List<String> files, int scenarios, String baseUrl, String... args) throws Exception {
        if (!Files.isExecutable(CHROMIUM)) fail(CHROMIUM + " is missing: install Debian's chromium (.ci/run does)");
        Path work = workDir(name + "-e2e");
        Path screenshots = screenshots(name);
        installDriver(work, files.toArray(String[]::new));
        List<String> command = new ArrayList<>(List.of("node", files.get(0), baseUrl, screenshots.toString()));
        command.addAll(List.of(args));
        Path log = work.resolve("run.log");
        int exit = run(work, log, 300, command.toArray(String[]::new));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertEquals(0, exit, "the " + name + " scenarios failed (screenshots in " + screenshots + "):\n" + output);
        assertTrue(output.contains(scenarios + " passed, 0 failed"), output);
        return new Outcome(output, screenshots);
    }

    /** Runs {@code command} in {@code dir}, its output into {@code log}; killed with its children after the timeout. */
    static int run(Path dir, Path log, int timeoutSeconds, String... command) throws IOException, InterruptedException {
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
