package io.switchboard.launcher;

import java.nio.file.Path;
import java.util.Map;

/** The operating contract: environment variables with their defaults. */
record Settings(Path home, int httpPort, String bind, String dbUrl, String dbUser, String dbPassword,
                String adminToken, int httpThreads) {
    /**
     * Jetty's threads by default. Neither the stream's sockets nor waiting long polls hold a thread; a
     * small pool serves them with less switching than Jetty's own default of 200 (measured in
     * docs/benchmarks.md).
     */
    static final int DEFAULT_HTTP_THREADS = 64;
    static final int MIN_HTTP_THREADS = 16;
    static final int MAX_HTTP_THREADS = 10_000;

    static Settings fromEnvironment(Map<String, String> env) {
        Path home = Path.of(env.getOrDefault("SWITCHBOARD_HOME", "switchboard-home")).toAbsolutePath().normalize();
        int httpPort = number(env, "SWITCHBOARD_HTTP_PORT", 8080, 1, 65535);
        int httpThreads = number(env, "SWITCHBOARD_HTTP_THREADS", DEFAULT_HTTP_THREADS, MIN_HTTP_THREADS, MAX_HTTP_THREADS);
        return new Settings(home, httpPort,
                blankToNull(env.get("SWITCHBOARD_BIND")) == null ? "0.0.0.0" : env.get("SWITCHBOARD_BIND").trim(),
                blankToNull(env.get("SWITCHBOARD_DB_URL")),
                blankToNull(env.get("SWITCHBOARD_DB_USER")),
                blankToNull(env.get("SWITCHBOARD_DB_PASSWORD")),
                blankToNull(env.get("SWITCHBOARD_ADMIN_TOKEN")),
                httpThreads);
    }

    /** The address clients should use: the bind address, or localhost when bound to all. */
    String publicHost() {
        return "0.0.0.0".equals(bind) || "::".equals(bind) ? "localhost" : bind;
    }

    /** A whole number from {@code min} to {@code max}, or the default when unset. */
    private static int number(Map<String, String> env, String name, int defaultValue, int min, int max) {
        String text = env.getOrDefault(name, Integer.toString(defaultValue)).trim();
        int value;
        try {
            value = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a number: " + text);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " is out of range (" + min + " to " + max + "): " + text);
        }
        return value;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
