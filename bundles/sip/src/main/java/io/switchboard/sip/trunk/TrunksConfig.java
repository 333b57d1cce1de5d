package io.switchboard.sip.trunk;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID}. Property names use dots: {@code options.interval.seconds}. */
@ObjectClassDefinition(name = "Switchboard SIP trunks", description = "Registration and probing of companies' trunks.")
public @interface TrunksConfig {
    String PID = "io.switchboard.sip.trunks";

    @AttributeDefinition(description = "Expires asked for in each REGISTER, in seconds (the PBX may grant less).", min = "60")
    int register_expires_seconds() default 3600;

    @AttributeDefinition(description = "Seconds between the OPTIONS probes of a peer trunk.", min = "1")
    int options_interval_seconds() default 30;

    @AttributeDefinition(description = "Wait after a first failed registration, in seconds; doubled after each further one.", min = "1")
    int retry_first_seconds() default 2;

    @AttributeDefinition(description = "Longest wait between two registration attempts, in seconds.", min = "1")
    int retry_max_seconds() default 300;
}
