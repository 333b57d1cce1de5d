package io.switchboard.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The operator's bearer token: SWITCHBOARD_ADMIN_TOKEN when set; otherwise generated once, kept in
 * conf/admin.token (owner-only) and printed only the time it is generated.
 */
final class AdminToken {
    private AdminToken() {}

    static String resolve(Settings settings) throws IOException {
        if (settings.adminToken() != null) return settings.adminToken();
        Path file = settings.home().resolve("conf").resolve("admin.token");
        if (Files.isRegularFile(file)) {
            String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (!stored.isEmpty()) {
                System.out.println("Admin token: stored in " + file);
                return stored;
            }
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.createDirectories(file.getParent());
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        System.out.println("Admin token (generated, shown once, kept in " + file + "): " + token);
        return token;
    }
}
