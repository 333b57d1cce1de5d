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
        String port = env.getOrDefault("SWITCHBOARD_HTTP_PORT", "8080").trim();
        int httpPort;
        try {
            httpPort = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SWITCHBOARD_HTTP_PORT is not a port number: " + port);
        }
        if (httpPort < 1 || httpPort > 65535) {
            throw new IllegalArgumentException("SWITCHBOARD_HTTP_PORT is out of range: " + port);
        }
        String threads = env.getOrDefault("SWITCHBOARD_HTTP_THREADS", Integer.toString(DEFAULT_HTTP_THREADS)).trim();
        int httpThreads;
        try {
            httpThreads = Integer.parseInt(threads);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SWITCHBOARD_HTTP_THREADS is not a number: " + threads);
        }
        if (httpThreads < MIN_HTTP_THREADS || httpThreads > MAX_HTTP_THREADS) {
            throw new IllegalArgumentException("SWITCHBOARD_HTTP_THREADS is out of range (" + MIN_HTTP_THREADS + " to "
                    + MAX_HTTP_THREADS + "): " + threads);
        }
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

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
