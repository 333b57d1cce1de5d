package io.switchboard.webclient;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The client's files under {@code web/}: which request paths name one, with which content type and
 * which validator. Nothing outside {@code web/} is reachable: a path is a list of plain names
 * (letters, digits, {@code _ - .}, never a dot at either end of a name, so never {@code ..}) ending in
 * a known extension; anything else simply does not exist.
 */
final class StaticFiles {
    static final String ROOT = "web/";
    static final String INDEX = "index.html";
    private static final int MAX_PATH = 200;
    private static final Pattern SAFE_PATH =
            Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*)*");
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("webmanifest", "application/manifest+json"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    /** One file: its bytes, its type and a strong validator of its content. */
    record Asset(String path, byte[] bytes, String contentType, String etag) {
        boolean isHtml() {
            return path.endsWith(".html");
        }
    }

    private final Function<String, URL> entries;
    private final Map<String, Asset> loaded = new ConcurrentHashMap<>();

    /** @param entries finds an entry of the bundle by its full name ({@code web/…}), or null */
    StaticFiles(Function<String, URL> entries) {
        this.entries = entries;
    }

    /** The file a request path names, if it is one of the client's files. */
    Optional<Asset> find(String requestPath) {
        Optional<String> type = contentType(requestPath);
        if (type.isEmpty()) return Optional.empty();
        Asset known = loaded.get(requestPath);
        if (known != null) return Optional.of(known);
        URL url = entries.apply(ROOT + requestPath);
        if (url == null) return Optional.empty();
        byte[] bytes = read(url);
        // The bundle's files never change while it runs (an update brings a new instance), so each is read once.
        Asset asset = new Asset(requestPath, bytes, type.get(), etag(bytes));
        loaded.put(requestPath, asset);
        return Optional.of(asset);
    }

    /** The content type of a path that may be served; empty for a path that is unsafe or of an unknown kind. */
    static Optional<String> contentType(String requestPath) {
        if (!isSafe(requestPath)) return Optional.empty();
        int dot = requestPath.lastIndexOf('.');
        int slash = requestPath.lastIndexOf('/');
        if (dot < 0 || dot < slash) return Optional.empty();
        return Optional.ofNullable(TYPES.get(requestPath.substring(dot + 1)));
    }

    static boolean isSafe(String requestPath) {
        return requestPath != null && !requestPath.isEmpty() && requestPath.length() <= MAX_PATH
                && SAFE_PATH.matcher(requestPath).matches();
    }

    private static byte[] read(URL url) {
        try (InputStream in = url.openStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + url, e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
