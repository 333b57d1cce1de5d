package io.switchboard.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.sip.routing.RoutingRules.Member;
import io.switchboard.sip.routing.RoutingRules.Ring;
import io.switchboard.sip.routing.RoutingRules.Rule;
import io.switchboard.sip.routing.RoutingRules.When;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingCompilerTest {
    private static final Set<String> TRUNKS = Set.of("main");
    private static final Ring ONE = new Ring(null, List.of(new Member("200", null, null, null)), null, null, null);

    private static RoutingRules one(Rule rule) {
        return new RoutingRules(null, List.of(rule));
    }

    private static RoutingRules ring(Ring ring) {
        return one(new Rule("r", null, ring, null));
    }

    private static void refused(RoutingRules rules, String field) {
        InvalidRoutingException e = assertThrows(InvalidRoutingException.class, () -> RoutingCompiler.compile(rules, TRUNKS));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().startsWith(field + ": "), e.getMessage());
    }

    @Test
    void theContractsExampleCompilesWithItsDefaults() {
        CompiledRouting c = RoutingCompiler.compile(RouterTest.officeHours(), TRUNKS);
        assertEquals(ZoneId.of("Europe/Berlin"), c.zone());
        assertEquals(2, c.rules().size());
        CompiledRouting.CompiledRule office = c.rules().get(0);
        assertEquals(Strategy.RINGALL, office.strategy());
        assertEquals(5, office.window().days().size());
        assertTrue(office.skipBusy());
        assertTrue(office.nextOnNoAnswer());
        assertEquals("main", office.targets().get(0).trunk());
        assertNull(office.targets().get(1).trunk(), "no trunk named: by trunk priority");
        CompiledRouting.CompiledRule after = c.rules().get(1);
        assertNull(after.window(), "no 'when': always");
        assertEquals(Duration.ofSeconds(15), after.memberTimeout());
        assertEquals(Duration.ofSeconds(60), after.totalTimeout());
        assertFalse(after.skipBusy());
    }

    @Test
    void eachFaultIsNamedByItsField() {
        refused(null, "body");
        refused(new RoutingRules("Mars/Olympus", List.of(new Rule("r", null, ONE, null))), "timezone");
        refused(new RoutingRules(null, List.of()), "rules");
        refused(new RoutingRules(null, Collections.singletonList(null)), "rules[0]");
        refused(one(new Rule(" ", null, ONE, null)), "rules[0].name");
        refused(new RoutingRules(null, List.of(new Rule("a", null, ONE, null), new Rule("a", null, ONE, null))), "rules[1].name");
        refused(one(new Rule("r", null, null, null)), "rules[0].ring");
        refused(one(new Rule("r", null, ONE, "retry")), "rules[0].onNoAnswer");
        refused(one(new Rule("r", new When(List.of("monday"), null, null), ONE, null)), "rules[0].when.days");
        refused(one(new Rule("r", new When(List.of(), null, null), ONE, null)), "rules[0].when.days");
        refused(one(new Rule("r", new When(null, "09:00", null), ONE, null)), "rules[0].when");
        refused(one(new Rule("r", new When(null, null, null), ONE, null)), "rules[0].when");
        refused(one(new Rule("r", new When(null, "9am", "18:00"), ONE, null)), "rules[0].when.from");
        refused(one(new Rule("r", new When(null, "09:00", "24:00"), ONE, null)), "rules[0].when.to");
        refused(one(new Rule("r", new When(null, "09:00", "09:00"), ONE, null)), "rules[0].when");
        refused(ring(new Ring("loudest", ONE.members(), null, null, null)), "rules[0].ring.strategy");
        refused(ring(new Ring(null, List.of(), null, null, null)), "rules[0].ring.members");
        refused(ring(new Ring(null, Collections.singletonList(null), null, null, null)), "rules[0].ring.members[0]");
        refused(ring(new Ring(null, List.of(new Member(null, null, null, null)), null, null, null)), "rules[0].ring.members[0]");
        refused(ring(new Ring(null, List.of(new Member("201", null, "alice", null)), null, null, null)), "rules[0].ring.members[0]");
        refused(ring(new Ring(null, List.of(new Member("2 01", null, null, null)), null, null, null)), "rules[0].ring.members[0].extension");
        refused(ring(new Ring(null, List.of(new Member("201", "nope", null, null)), null, null, null)), "rules[0].ring.members[0].trunk");
        refused(ring(new Ring(null, List.of(new Member(null, "main", "alice", null)), null, null, null)), "rules[0].ring.members[0].trunk");
        refused(ring(new Ring(null, List.of(new Member(null, null, "9lives", null)), null, null, null)), "rules[0].ring.members[0].handle");
        refused(ring(new Ring(null, List.of(new Member("201", null, null, null), new Member("201", null, null, null)), null, null, null)),
                "rules[0].ring.members[1]");
        refused(ring(new Ring("linear", List.of(new Member("201", null, null, 2)), null, null, null)), "rules[0].ring.members[0].weight");
        refused(ring(new Ring("weightedrandom", List.of(new Member("201", null, null, null)), null, null, null)),
                "rules[0].ring.members[0].weight");
        refused(ring(new Ring("weightedrandom", List.of(new Member("201", null, null, 0)), null, null, null)),
                "rules[0].ring.members[0].weight");
        refused(ring(new Ring(null, ONE.members(), 0, null, null)), "rules[0].ring.memberTimeout");
        refused(ring(new Ring(null, ONE.members(), null, 601, null)), "rules[0].ring.totalTimeout");
        refused(ring(new Ring(null, ONE.members(), 30, 20, null)), "rules[0].ring.memberTimeout");
    }

    @Test
    void limitsKeepRulesSmall() {
        List<Rule> many = new ArrayList<>();
        for (int i = 0; i <= RoutingCompiler.MAX_RULES; i++) many.add(new Rule("r" + i, null, ONE, null));
        refused(new RoutingRules(null, many), "rules");
        List<Member> crowd = new ArrayList<>();
        for (int i = 0; i <= RoutingCompiler.MAX_MEMBERS; i++) crowd.add(new Member("1" + i, null, null, null));
        refused(ring(new Ring(null, crowd, null, null, null)), "rules[0].ring.members");
    }

    @Test
    void handlesAreCaseInsensitiveAndAShortTotalShortensTheDefaultMemberTimeout() {
        CompiledRouting c = RoutingCompiler.compile(ring(new Ring("linear",
                List.of(new Member(null, null, "Alice", null)), null, 10, null)), TRUNKS);
        assertEquals("handle:alice", c.rules().get(0).targets().get(0).key());
        assertEquals(Duration.ofSeconds(10), c.rules().get(0).memberTimeout());
    }
}
