package io.switchboard.sip.routing;

import java.util.List;

/**
 * A company's routing rules as the client writes them ({@code PUT /api/v1/routing}); see
 * docs/routing.md. Nothing here is checked: {@link RoutingCompiler} validates and compiles.
 */
public record RoutingRules(String timezone, List<Rule> rules) {

    /** The first rule whose {@code when} matches (no {@code when}: always) takes the call. */
    public record Rule(String name, When when, Ring ring, String onNoAnswer) {}

    /** Weekdays ({@code mon}…{@code sun}) and a time window {@code from}–{@code to} ({@code HH:mm}; over midnight when to &lt; from). */
    public record When(List<String> days, String from, String to) {}

    /** Who rings and how; timeouts in seconds. */
    public record Ring(String strategy, List<Member> members, Integer memberTimeout, Integer totalTimeout,
                       Boolean skipBusy) {}

    /** A PBX {@code extension} (over {@code trunk}, or by trunk priority) or an employee's {@code handle}. */
    public record Member(String extension, String trunk, String handle, Integer weight) {}
}
