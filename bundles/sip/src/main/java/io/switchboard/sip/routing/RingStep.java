package io.switchboard.sip.routing;

import java.time.Duration;
import java.util.List;

/** One step of a call's routing: these targets ring together for at most {@code timeout}. */
public record RingStep(String rule, List<Target> targets, Duration timeout) {}
