package io.switchboard.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MediaStoreComponentTest {
    @Test
    void mediaLivesUnderTheHomeUnlessConfigured() {
        assertEquals(Path.of("/srv/switchboard/media"), MediaStoreComponent.directory("", "/srv/switchboard"));
        assertEquals(Path.of("/srv/switchboard/media"), MediaStoreComponent.directory(null, "/srv/switchboard"));
        assertEquals(Path.of("./switchboard-home/media"), MediaStoreComponent.directory(" ", null));
        assertEquals(Path.of("/data/uploads"), MediaStoreComponent.directory(" /data/uploads ", "/srv/switchboard"));
    }
}
