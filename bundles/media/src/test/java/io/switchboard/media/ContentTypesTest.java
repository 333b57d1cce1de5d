package io.switchboard.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentTypesTest {
    private static final ContentTypes TYPES = new ContentTypes();

    /** The EBML header a browser's MediaRecorder writes, with the given DocType (4 letters). */
    private static String ebml(String docType) {
        return "\u001aE\u00df\u00a3\u009fB\u0086\u0081\u0001B\u00f7\u0081\u0001B\u00f2\u0081\u0004B\u00f3\u0081\u0008"
                + "B\u0082\u0084" + docType + "B\u0087\u0081\u0004B\u0085\u0081\u0002\u0018S\u0080g";
    }

    private static String detect(String latin1) {
        byte[] b = latin1.getBytes(StandardCharsets.ISO_8859_1);
        return TYPES.detect(b, b.length);
    }

    @Test
    void containersAndMediaByTheirMagic() {
        assertEquals("application/zip", detect("PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000"));
        assertEquals("image/webp", detect("RIFF\u0024\u0000\u0000\u0000WEBPVP8 "));
        assertEquals("audio/vnd.wave", detect("RIFF\u0024\u0000\u0000\u0000WAVEfmt "));
        assertEquals("audio/mpeg", detect("ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000"));
        assertEquals("video/mp4", detect("\u0000\u0000\u0000\u0018ftypmp42\u0000\u0000\u0000\u0000mp42isom"));
        assertEquals("image/gif", detect("GIF87a\u0001\u0000\u0001\u0000"));
    }

    @Test
    void webmIsToldFromOtherMatroskaByItsDocType() {
        assertEquals(ContentTypes.WEBM, detect(ebml("webm")));
        assertEquals(ContentTypes.MATROSKA, detect(ebml("mkvx").replace("\u0084mkvx", "\u0088matroska")));
    }

    @Test
    void onlyThePrefixLengthCounts() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
        assertEquals("image/png", TYPES.detect(png, png.length));
        assertEquals(ContentTypes.OCTET_STREAM, TYPES.detect(png, 0));
        assertEquals(ContentTypes.OCTET_STREAM, TYPES.detect(new byte[ContentTypes.PREFIX_BYTES], ContentTypes.PREFIX_BYTES));
    }

    @Test
    void utf8TextIsPlainText() {
        byte[] text = "Grüße aus Köln – ein Satz.\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("text/plain", TYPES.detect(text, text.length));
    }
}
