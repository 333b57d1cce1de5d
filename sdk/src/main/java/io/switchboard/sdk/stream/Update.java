package io.switchboard.sdk.stream;

import com.fasterxml.jackson.databind.JsonNode;

/** A stored update as clients receive it. The cursor is written as a string on the wire. */
public record Update(long cursor, String type, JsonNode data) {}
