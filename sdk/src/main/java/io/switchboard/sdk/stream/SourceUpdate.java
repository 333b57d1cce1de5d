package io.switchboard.sdk.stream;

/**
 * One update in a feature's log. {@code data} is anything Jackson can write (a record, a Map, a
 * JsonNode); clients receive it as the frame's {@code data}.
 */
public record SourceUpdate(long position, String type, Object data) {}
