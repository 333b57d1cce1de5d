package io.switchboard.chat;

import io.switchboard.chat.ChatStore.MediaRow;
import io.switchboard.sdk.api.ApiException;
import io.switchboard.sdk.auth.AccountPrincipal;
import io.switchboard.sdk.media.MediaStore;
import io.switchboard.sdk.media.MediaTooLargeException;
import io.switchboard.sdk.media.StoredMedia;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.commons.fileupload.FileItemIterator;
import org.apache.commons.fileupload.FileItemStream;
import org.apache.commons.fileupload.FileUpload;
import org.apache.commons.fileupload.FileUploadException;
import org.apache.commons.fileupload.UploadContext;

/**
 * Uploads and downloads. The bytes go to the {@link MediaStore} as they arrive; the database keeps
 * who uploaded what with which type. Only the uploader and the members of a conversation with a
 * message carrying the media may download it; to anyone else it does not exist.
 */
public final class ChatMedia {

    private final ChatStore store;
    private final Supplier<MediaStore> media;
    private final LongSupplier limit;

    ChatMedia(ChatStore store, Supplier<MediaStore> media, LongSupplier limit) {
        this.store = store;
        this.media = media;
        this.limit = limit;
    }

    public Views.MediaInfo upload(AccountPrincipal caller, String contentType, String contentLength, InputStream body) {
        MediaStore bytes = available();
        long max = limit.getAsLong();
        if (contentLength != null && contentLength.chars().allMatch(Character::isDigit) && !contentLength.isEmpty()
                && contentLength.length() < 19 && Long.parseLong(contentLength) > max + (isMultipart(contentType) ? 64 * 1024 : 0)) {
            throw tooLarge(max);
        }
        String declaredHeader = contentType;
        InputStream in = body;
        if (isMultipart(contentType)) {
            FileItemStream file = firstFile(contentType, contentLength, body);
            declaredHeader = file.getContentType();
            try {
                in = file.openStream();
            } catch (IOException e) {
                throw ApiException.badRequest("invalid_multipart", "The multipart body cannot be read.");
            }
        }
        String declared = MediaTypes.declared(declaredHeader);
        StoredMedia stored;
        try {
            stored = bytes.put(in, max);
        } catch (MediaTooLargeException e) {
            throw tooLarge(max);
        } catch (IOException e) {
            if (hasCause(e, ApiException.class) instanceof ApiException api) throw api;
            throw ApiException.badRequest("upload_incomplete", "The upload ended before all its bytes arrived.");
        }
        try {
            if (stored.size() == 0) throw ApiException.badRequest("empty_upload", "The upload has no bytes.");
            String type = MediaTypes.resolve(declared, stored.detectedType());
            MediaRow row = new MediaRow(Ids.newId("m_"), caller.accountId(), stored.key(), stored.size(), type);
            store.insertMedia(row);
            return new Views.MediaInfo(row.id(), row.size(), row.contentType());
        } catch (ApiException e) {
            dropIfUnused(bytes, stored.key());
            throw e;
        } catch (SQLException e) {
            dropIfUnused(bytes, stored.key());
            throw new IllegalStateException("Could not record media", e);
        }
    }

    public Response download(AccountPrincipal caller, String mediaId) {
        MediaStore bytes = available();
        MediaRow row;
        try {
            row = Ids.isId(mediaId, "m_") ? store.media(mediaId) : null;
            if (row != null && !row.ownerId().equals(caller.accountId()) && !store.mediaVisibleTo(mediaId, caller.accountId())) {
                row = null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read media", e);
        }
        if (row == null) throw new ApiException(404, "media_not_found", "No such media.");
        Optional<InputStream> in;
        try {
            in = bytes.open(row.storeKey());
        } catch (IOException e) {
            throw new IllegalStateException("Could not open media", e);
        }
        if (in.isEmpty()) throw new ApiException(404, "media_not_found", "The bytes of this media are gone.");
        InputStream source = in.get();
        StreamingOutput out = os -> {
            try (InputStream s = source) {
                s.transferTo(os);
            }
        };
        return Response.ok(out)
                .type(row.contentType())
                .header("Content-Length", row.size())
                .header("X-Content-Type-Options", "nosniff")
                .header("Content-Disposition", MediaTypes.inline(row.contentType()) ? "inline" : "attachment")
                .header("Content-Security-Policy", "sandbox; default-src 'none'")
                .header("Cache-Control", "private, max-age=31536000, immutable")
                .build();
    }

    private MediaStore available() {
        MediaStore bytes = media.get();
        if (bytes == null) throw new ApiException(503, "media_unavailable", "The media store is not running; try again.");
        return bytes;
    }

    private static boolean isMultipart(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
    }

    /** The first file part of a multipart form, streamed (nothing before it is kept). */
    private static FileItemStream firstFile(String contentType, String contentLength, InputStream body) {
        long length = contentLength != null && contentLength.matches("\\d{1,18}") ? Long.parseLong(contentLength) : -1;
        UploadContext context = new UploadContext() {
            @Override public String getCharacterEncoding() { return StandardCharsets.UTF_8.name(); }
            @Override public String getContentType() { return contentType; }
            @Override @Deprecated public int getContentLength() { return (int) Math.min(Integer.MAX_VALUE, length); }
            @Override public long contentLength() { return length; }
            @Override public InputStream getInputStream() { return body; }
        };
        try {
            FileUpload upload = new FileUpload();
            upload.setFileCountMax(16);
            FileItemIterator items = upload.getItemIterator(context);
            while (items.hasNext()) {
                FileItemStream item = items.next();
                if (!item.isFormField()) return item;
            }
        } catch (FileUploadException | IOException e) {
            throw ApiException.badRequest("invalid_multipart", "The multipart body cannot be read.");
        }
        throw ApiException.badRequest("invalid_multipart", "The multipart body has no file.");
    }

    private void dropIfUnused(MediaStore bytes, String key) {
        try {
            if (!store.mediaKeyInUse(key)) bytes.delete(key);
        } catch (SQLException | IOException e) {
            // leaves unreferenced bytes behind; they do no harm
        }
    }

    private static Throwable hasCause(Throwable t, Class<?> type) {
        for (Throwable c = t; c != null; c = c.getCause()) if (type.isInstance(c)) return c;
        return null;
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "media_too_large", "Media is at most " + limit + " bytes.");
    }
}
