package io.switchboard.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sdk.api.ApiException;
import org.junit.jupiter.api.Test;

class MediaTypesTest {

    @Test
    void declaredTypesAreNormalised() {
        assertEquals("image/png", MediaTypes.declared("IMAGE/PNG; charset=binary"));
        assertEquals("image/jpeg", MediaTypes.declared("image/jpg"));
        assertEquals(MediaTypes.OCTET, MediaTypes.declared(null));
        assertEquals(MediaTypes.OCTET, MediaTypes.declared(" "));
        for (String bad : new String[] {"png", "image/", "/png", "image/png/x", "ima ge/png", "{\"$gt\":\"\"}"}) {
            ApiException e = assertThrows(ApiException.class, () -> MediaTypes.declared(bad), bad);
            assertEquals(400, e.status());
        }
    }

    @Test
    void theBytesDecideWhenTheDeclarationLies() {
        assertEquals("image/png", MediaTypes.resolve("image/png", "image/png"));
        assertEquals("image/png", MediaTypes.resolve(MediaTypes.OCTET, "image/png"), "undeclared: what the bytes show");
        assertEquals("content_type_mismatch",
                assertThrows(ApiException.class, () -> MediaTypes.resolve("image/jpeg", "text/plain")).code());
        assertThrows(ApiException.class, () -> MediaTypes.resolve("application/pdf", "image/png"));
        assertThrows(ApiException.class, () -> MediaTypes.resolve("image/png", MediaTypes.OCTET),
                "a picture type needs picture bytes");
        assertEquals("application/x-custom", MediaTypes.resolve("application/x-custom", MediaTypes.OCTET),
                "formats without a signature pass as declared");
        assertEquals("text/csv", MediaTypes.resolve("text/csv", "text/plain"));
        assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                MediaTypes.resolve("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip"));
        assertEquals("audio/mp4", MediaTypes.resolve("audio/mp4", "video/mp4"), "one container, either kind");
        assertEquals("image/jpeg", MediaTypes.resolve("image/jpg", "image/jpeg"));
    }

    @Test
    void onlyTypesThatCannotRunScriptAreInline() {
        assertTrue(MediaTypes.inline("image/png"));
        assertTrue(MediaTypes.inline("video/mp4"));
        assertFalse(MediaTypes.inline("image/svg+xml"));
        assertFalse(MediaTypes.inline("text/html"));
        assertFalse(MediaTypes.inline(MediaTypes.OCTET));
    }
}
