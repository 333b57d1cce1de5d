package io.switchboard.sdk.stream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.io.IOException;

/**
 * Data already written as JSON by {@link UpdatePublisher#json}, for a feature that sends the same data
 * in more than one frame (an update to the members, the answer to the sender): wherever it is data or
 * part of data, its text goes into the frame as it is, and it is written once.
 *
 * @param text the JSON text, as the stream writes it
 * @since 1.3
 */
@JsonSerialize(using = Json.Writer.class)
public record Json(String text) {
    public Json {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("no JSON text");
    }

    /** Writes the text as it is. */
    public static final class Writer extends JsonSerializer<Json> {
        @Override
        public void serialize(Json value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeRawValue(value.text());
        }
    }
}
