package io.switchboard.sdk.media;

/**
 * What {@link MediaStore#put} kept.
 *
 * @param key          the content address (lower-case hex SHA-256 of the bytes)
 * @param size         number of bytes
 * @param detectedType the media type the bytes themselves show (their magic numbers), such as
 *                     {@code image/png}; {@code application/octet-stream} when nothing is recognised
 */
public record StoredMedia(String key, long size, String detectedType) {}
