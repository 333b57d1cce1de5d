package io.switchboard.sip.routing;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;

/** Routing rules checked and in the form the {@link Router} runs. Immutable. */
public record CompiledRouting(ZoneId zone, List<CompiledRule> rules) {

    public record CompiledRule(String name, Window window, Strategy strategy, List<Target> targets,
                               Duration memberTimeout, Duration totalTimeout, boolean skipBusy, boolean nextOnNoAnswer) {}

    /** Weekdays and a time of day window; {@code from} after {@code to} runs over midnight. Null times: all day. */
    public record Window(Set<DayOfWeek> days, LocalTime from, LocalTime to) {

        boolean matches(ZonedDateTime t) {
            if (from == null) return days.contains(t.getDayOfWeek());
            LocalTime time = t.toLocalTime();
            if (!from.isAfter(to)) return days.contains(t.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
            // Over midnight: the window opened on the listed day and runs into the next one.
            if (!time.isBefore(from)) return days.contains(t.getDayOfWeek());
            return time.isBefore(to) && days.contains(t.getDayOfWeek().minus(1));
        }
    }

    /** The index of the first rule at or after {@code start} whose window matches {@code now}, or -1. */
    int firstMatching(int start, Instant now) {
        ZonedDateTime local = now.atZone(zone);
        for (int i = start; i < rules.size(); i++) {
            Window w = rules.get(i).window();
            if (w == null || w.matches(local)) return i;
        }
        return -1;
    }
}
