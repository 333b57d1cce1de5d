package io.switchboard.chat;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value ChatService#PID}. Property names use dots: {@code media.max.bytes}. */
@ObjectClassDefinition(name = "Switchboard chat", description = "Conversations, messages and media.")
public @interface ChatConfig {
    @AttributeDefinition(description = "Largest media upload in bytes (default 50 MiB).", min = "1")
    long media_max_bytes() default 50L * 1024 * 1024;

    @AttributeDefinition(description = "Most members a group may have.", min = "2")
    int group_max_members() default 5000;
}
