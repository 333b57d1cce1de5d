package io.switchboard.sip.trunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    @TempDir Path dir;

    @Test
    void sealsOpensAndKeepsItsKeyOwnerOnly() throws Exception {
        Path key = dir.resolve("conf").resolve("sip-secrets.key");
        SecretBox box = SecretBox.fromKeyFile(key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        String sealed = box.seal("s3cret pbx password");
        assertFalse(sealed.contains("s3cret"));
        assertNotEquals(sealed, box.seal("s3cret pbx password"), "a fresh nonce each time");
        assertEquals("s3cret pbx password", SecretBox.fromKeyFile(key).open(sealed), "the same key after a restart");
    }

    @Test
    void anotherKeyOrATamperedValueDoesNotOpen() throws Exception {
        SecretBox a = SecretBox.fromKeyFile(dir.resolve("a.key"));
        SecretBox b = SecretBox.fromKeyFile(dir.resolve("b.key"));
        String sealed = a.seal("password");
        assertThrows(IllegalStateException.class, () -> b.open(sealed));
        char[] chars = sealed.toCharArray();
        chars[20] = chars[20] == 'A' ? 'B' : 'A';
        assertThrows(IllegalStateException.class, () -> a.open(new String(chars)));
        assertThrows(IllegalStateException.class, () -> a.open("not base64 at all!"));
    }
}
