package io.switchboard.chat;

import io.switchboard.sdk.api.ApiException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** The content type an upload declares, checked against what its bytes show. */
final class MediaTypes {
    static final String OCTET = "application/octet-stream";
    private static final Pattern TYPE = Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
    private static final Map<String, String> ALIASES = Map.of(
            "image/jpg", "image/jpeg",
            "image/pjpeg", "image/jpeg",
            "audio/mp3", "audio/mpeg",
            "audio/x-wav", "audio/wav",
            "audio/wave", "audio/wav",
            "audio/vnd.wave", "audio/wav",
            "application/x-pdf", "application/pdf");

    private MediaTypes() {}

    /** The declared type without parameters, lower case; octet-stream when absent. 400 when malformed. */
    static String declared(String header) {
        if (header == null || header.isBlank()) return OCTET;
        String t = header.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!TYPE.matcher(t).matches()) throw ApiException.badRequest("invalid_content_type", "The Content-Type is not a media type.");
        return ALIASES.getOrDefault(t, t);
    }

    /**
     * The type to store: the declared one when the bytes agree (or cannot tell), what the bytes show
     * when nothing specific was declared, and a 400 when the declaration lies about the bytes.
     */
    static String resolve(String declaredType, String detected) {
        String declared = ALIASES.getOrDefault(declaredType, declaredType);
        String found = detected == null ? OCTET : ALIASES.getOrDefault(detected, detected);
        if (declared.equals(found)) return declared;
        if (declared.equals(OCTET)) return found;
        if (found.equals(OCTET)) {
            // Unrecognised bytes: fine for formats no magic number tells, never for ones that have one.
            if (hasSignature(declared)) throw mismatch(declared, "unrecognised bytes");
            return declared;
        }
        if (found.startsWith("text/") && (declared.startsWith("text/") || declared.endsWith("+json")
                || declared.equals("application/json") || declared.endsWith("+xml") || declared.equals("application/xml"))) {
            return declared;
        }
        if ((found.equals("application/zip") || found.equals("application/x-tika-ooxml") || found.equals("application/x-tika-msoffice"))
                && (declared.endsWith("+zip") || declared.contains("openxmlformats") || declared.contains("opendocument")
                    || declared.equals("application/java-archive") || declared.equals("application/msword")
                    || declared.equals("application/vnd.ms-excel") || declared.equals("application/vnd.ms-powerpoint"))) {
            return declared;
        }
        if (found.equals("application/xml") && (declared.endsWith("+xml") || declared.equals("text/xml"))) return declared;
        if (sameFamilyContainer(declared, found)) return declared;
        throw mismatch(declared, found);
    }

    /** Inline in a browser only for types that cannot run script. */
    static boolean inline(String type) {
        return (type.startsWith("image/") && !type.equals("image/svg+xml")) || type.startsWith("audio/")
                || type.startsWith("video/") || type.equals("application/pdf");
    }

    private static boolean hasSignature(String type) {
        return (type.startsWith("image/") && !type.equals("image/svg+xml")) || type.startsWith("audio/")
                || type.startsWith("video/") || type.equals("application/pdf") || type.equals("application/zip")
                || type.equals("application/gzip");
    }

    /** Containers that carry both audio and video: an mp4 or webm may be declared as either. */
    private static boolean sameFamilyContainer(String declared, String found) {
        String d = declared.substring(declared.indexOf('/') + 1);
        String f = found.substring(found.indexOf('/') + 1);
        boolean av = (declared.startsWith("audio/") || declared.startsWith("video/"))
                && (found.startsWith("audio/") || found.startsWith("video/"));
        return av && (d.equals(f) || (d.equals("x-m4a") && f.equals("mp4")) || (d.equals("mp4") && f.equals("x-m4a"))
                || (d.equals("webm") && f.equals("x-matroska")) || (d.equals("ogg") && f.equals("ogg")));
    }

    private static ApiException mismatch(String declared, String found) {
        return ApiException.badRequest("content_type_mismatch",
                "The bytes are not " + declared + " (they look like " + found + ").");
    }
}
