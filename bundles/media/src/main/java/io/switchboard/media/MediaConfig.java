package io.switchboard.media;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value MediaStoreComponent#PID}. */
@ObjectClassDefinition(name = "Switchboard media", description = "Where uploaded bytes are kept.")
public @interface MediaConfig {
    @AttributeDefinition(description = "Directory for the media; empty for <switchboard.home>/media.")
    String directory() default "";
}
