package io.switchboard.sip.routing;

import io.switchboard.sip.routing.CompiledRouting.CompiledRule;
import io.switchboard.sip.routing.CompiledRouting.Window;
import io.switchboard.sip.routing.RoutingRules.Member;
import io.switchboard.sip.routing.RoutingRules.Ring;
import io.switchboard.sip.routing.RoutingRules.Rule;
import io.switchboard.sip.routing.RoutingRules.When;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks routing rules and compiles them. Every fault is an {@link InvalidRoutingException} naming
 * the field, so a company's owner sees what to fix; nothing half-valid is ever stored.
 */
public final class RoutingCompiler {
    public static final int MAX_RULES = 50;
    public static final int MAX_MEMBERS = 100;
    public static final int MAX_TIMEOUT_SECONDS = 600;
    static final int DEFAULT_MEMBER_TIMEOUT = 15;
    static final int DEFAULT_TOTAL_TIMEOUT = 60;
    private static final Pattern EXTENSION = Pattern.compile("[0-9A-Za-z*#+._-]{1,32}");
    private static final Pattern HANDLE = Pattern.compile("[a-z][a-z0-9_]{2,31}");
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm")
            .withResolverStyle(java.time.format.ResolverStyle.STRICT);
    private static final Map<String, DayOfWeek> DAYS = Map.of("mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY, "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY, "sat", DayOfWeek.SATURDAY,
            "sun", DayOfWeek.SUNDAY);

    private RoutingCompiler() {}

    /** @param trunkNames the company's trunks: a member's {@code trunk} must be one of them. */
    public static CompiledRouting compile(RoutingRules rules, Set<String> trunkNames) {
        if (rules == null) throw new InvalidRoutingException("body", "routing rules are required");
        ZoneId zone = zone(rules.timezone());
        List<Rule> list = rules.rules();
        if (list == null || list.isEmpty()) throw new InvalidRoutingException("rules", "at least one rule is required");
        if (list.size() > MAX_RULES) throw new InvalidRoutingException("rules", "at most " + MAX_RULES + " rules");
        List<CompiledRule> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = "rules[" + i + "]";
            Rule rule = list.get(i);
            if (rule == null) throw new InvalidRoutingException(at, "a rule is an object");
            String name = text(rule.name(), at + ".name", 64);
            if (!names.add(name)) throw new InvalidRoutingException(at + ".name", "'" + name + "' is used twice");
            out.add(new CompiledRule(name, window(rule.when(), at + ".when"), strategy(rule.ring(), at + ".ring"),
                    targets(rule.ring(), at + ".ring", trunkNames), memberTimeout(rule.ring(), at + ".ring"),
                    totalTimeout(rule.ring(), at + ".ring"), Boolean.TRUE.equals(rule.ring().skipBusy()),
                    onNoAnswer(rule.onNoAnswer(), at + ".onNoAnswer")));
        }
        return new CompiledRouting(zone, List.copyOf(out));
    }

    private static ZoneId zone(String timezone) {
        if (timezone == null) return ZoneId.of("UTC");
        try {
            return ZoneId.of(timezone);
        } catch (DateTimeException e) {
            throw new InvalidRoutingException("timezone", "'" + timezone + "' is no time zone (e.g. Europe/Berlin)");
        }
    }

    private static Window window(When when, String at) {
        if (when == null) return null;
        Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
        if (when.days() != null) {
            if (when.days().isEmpty()) throw new InvalidRoutingException(at + ".days", "name at least one day, or leave days out");
            days = EnumSet.noneOf(DayOfWeek.class);
            for (String d : when.days()) {
                DayOfWeek day = d == null ? null : DAYS.get(d);
                if (day == null) throw new InvalidRoutingException(at + ".days", "'" + d + "' is not one of mon, tue, wed, thu, fri, sat, sun");
                days.add(day);
            }
        }
        if ((when.from() == null) != (when.to() == null)) {
            throw new InvalidRoutingException(at, "'from' and 'to' come together");
        }
        if (when.from() == null) {
            if (when.days() == null) throw new InvalidRoutingException(at, "name days, a time window, or both");
            return new Window(days, null, null);
        }
        LocalTime from = time(when.from(), at + ".from");
        LocalTime to = time(when.to(), at + ".to");
        if (from.equals(to)) throw new InvalidRoutingException(at, "'from' and 'to' are the same time");
        return new Window(days, from, to);
    }

    private static LocalTime time(String s, String at) {
        try {
            return LocalTime.parse(s, HH_MM);
        } catch (DateTimeParseException e) {
            throw new InvalidRoutingException(at, "'" + s + "' is not a time HH:mm (00:00 to 23:59)");
        }
    }

    private static Strategy strategy(Ring ring, String at) {
        if (ring == null) throw new InvalidRoutingException(at, "who rings is required");
        if (ring.strategy() == null) return Strategy.RINGALL;
        return Strategy.ofWire(ring.strategy()).orElseThrow(() -> new InvalidRoutingException(at + ".strategy",
                "'" + ring.strategy() + "' is not one of ringall, linear, roundrobin, leastrecent, fewestcalls, random, weightedrandom"));
    }

    private static List<Target> targets(Ring ring, String at, Set<String> trunkNames) {
        List<Member> members = ring.members();
        if (members == null || members.isEmpty()) throw new InvalidRoutingException(at + ".members", "at least one member is required");
        if (members.size() > MAX_MEMBERS) throw new InvalidRoutingException(at + ".members", "at most " + MAX_MEMBERS + " members");
        boolean weighted = strategy(ring, at) == Strategy.WEIGHTEDRANDOM;
        List<Target> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < members.size(); i++) {
            String mAt = at + ".members[" + i + "]";
            Member m = members.get(i);
            if (m == null) throw new InvalidRoutingException(mAt, "a member is an object");
            int weight = 1;
            if (m.weight() != null) {
                if (!weighted) throw new InvalidRoutingException(mAt + ".weight", "a weight is only for weightedrandom");
                if (m.weight() < 1 || m.weight() > 1000) throw new InvalidRoutingException(mAt + ".weight", "1 to 1000");
                weight = m.weight();
            } else if (weighted) {
                throw new InvalidRoutingException(mAt + ".weight", "weightedrandom members carry a weight");
            }
            Target t;
            if (m.extension() != null && m.handle() != null) {
                throw new InvalidRoutingException(mAt, "a member is an extension or a handle, not both");
            } else if (m.extension() != null) {
                if (!EXTENSION.matcher(m.extension()).matches()) {
                    throw new InvalidRoutingException(mAt + ".extension", "1 to 32 of 0-9 A-Z a-z * # + . _ -");
                }
                if (m.trunk() != null && !trunkNames.contains(m.trunk())) {
                    throw new InvalidRoutingException(mAt + ".trunk", "no trunk is named '" + m.trunk() + "'");
                }
                t = Target.extension(m.extension(), m.trunk(), weight);
            } else if (m.handle() != null) {
                if (m.trunk() != null) throw new InvalidRoutingException(mAt + ".trunk", "a handle rings without a trunk");
                String handle = m.handle().toLowerCase(java.util.Locale.ROOT);
                if (!HANDLE.matcher(handle).matches()) throw new InvalidRoutingException(mAt + ".handle", "'" + m.handle() + "' is no handle");
                t = Target.handle(handle, weight);
            } else {
                throw new InvalidRoutingException(mAt, "an 'extension' or a 'handle' is required");
            }
            if (!seen.add(t.key())) throw new InvalidRoutingException(mAt, t.key() + " is listed twice");
            out.add(t);
        }
        return List.copyOf(out);
    }

    private static Duration memberTimeout(Ring ring, String at) {
        Duration total = totalTimeout(ring, at);
        Duration member = seconds(ring.memberTimeout(), DEFAULT_MEMBER_TIMEOUT, at + ".memberTimeout");
        if (ring.memberTimeout() == null) return member.compareTo(total) > 0 ? total : member;
        if (member.compareTo(total) > 0) {
            throw new InvalidRoutingException(at + ".memberTimeout", "longer than totalTimeout");
        }
        return member;
    }

    private static Duration totalTimeout(Ring ring, String at) {
        return seconds(ring.totalTimeout(), DEFAULT_TOTAL_TIMEOUT, at + ".totalTimeout");
    }

    private static Duration seconds(Integer value, int fallback, String at) {
        int s = value == null ? fallback : value;
        if (s < 1 || s > MAX_TIMEOUT_SECONDS) throw new InvalidRoutingException(at, "1 to " + MAX_TIMEOUT_SECONDS + " seconds");
        return Duration.ofSeconds(s);
    }

    private static boolean onNoAnswer(String s, String at) {
        if (s == null || "next".equals(s)) return true;
        if ("hangup".equals(s)) return false;
        throw new InvalidRoutingException(at, "'" + s + "' is next or hangup");
    }

    private static String text(String s, String at, int max) {
        if (s == null || s.isBlank()) throw new InvalidRoutingException(at, "required");
        if (s.length() > max) throw new InvalidRoutingException(at, "at most " + max + " characters");
        return s;
    }
}
