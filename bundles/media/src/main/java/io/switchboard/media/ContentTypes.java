package io.switchboard.media;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.mime.MimeTypes;

/**
 * Tells a media type from the first bytes of an upload with Apache Tika's magic-number table
 * ({@code tika-mimetypes.xml}); never from a file name, which the uploader chooses.
 */
public final class ContentTypes {
    /** How many leading bytes of an upload are kept for detection. */
    public static final int PREFIX_BYTES = 8 * 1024;
    public static final String OCTET_STREAM = MimeTypes.OCTET_STREAM;
    static final String MATROSKA = "application/x-matroska";
    static final String WEBM = "video/webm";
    /** EBML DocType element (0x4282), a length of 4 as a one-byte vint, "webm". */
    private static final byte[] WEBM_DOCTYPE = {0x42, (byte) 0x82, (byte) 0x84, 'w', 'e', 'b', 'm'};
    /** The EBML header that holds the DocType is short and comes first. */
    private static final int EBML_HEADER_BYTES = 64;

    private final MimeTypes types;

    public ContentTypes() {
        // With no class loader given, Tika reads the table through its own.
        this.types = MimeTypes.getDefaultMimeTypes();
    }

    /** The type {@code prefix[0..length)} shows, or {@value #OCTET_STREAM} when nothing is recognised. */
    public String detect(byte[] prefix, int length) {
        int n = Math.min(length, prefix.length);
        String type;
        try (InputStream in = new ByteArrayInputStream(prefix, 0, n)) {
            type = types.detect(in, new Metadata()).getBaseType().toString();
        } catch (IOException e) {
            return OCTET_STREAM;
        }
        // Tika's table tells WebM from other Matroska files only by the file name; the header says it too.
        if (type.equals(MATROSKA) && indexOf(prefix, Math.min(n, EBML_HEADER_BYTES), WEBM_DOCTYPE) >= 0) return WEBM;
        return type;
    }

    private static int indexOf(byte[] data, int length, byte[] wanted) {
        outer:
        for (int i = 0; i + wanted.length <= length; i++) {
            for (int j = 0; j < wanted.length; j++) {
                if (data[i + j] != wanted[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
