package io.switchboard.calls;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID}. Property names use dots: {@code ring.timeout.seconds}. */
@ObjectClassDefinition(name = "Switchboard calls", description = "Calls between users and their ICE servers.")
public @interface CallsConfig {
    String PID = "io.switchboard.calls";

    @AttributeDefinition(description = "How long TURN credentials handed to a client stay valid, in seconds.", min = "60")
    int turn_ttl_seconds() default 3600;

    @AttributeDefinition(description = "How long a call rings before it counts as missed, in seconds.", min = "1")
    int ring_timeout_seconds() default 45;
}
