package io.switchboard.sip.b2bua;

import io.switchboard.sip.routing.RingStep;
import io.switchboard.sip.routing.Target;
import io.switchboard.sip.trunk.Trunk;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** What the bridge needs to know of a company: its trunks, its routing, and whom a call reached. */
interface Companies {

    /** The company's trunks, by priority then name (with their passwords, to answer challenges). */
    List<Trunk> trunks(String companyId);

    /** True when the company has routing rules. */
    boolean routes(String companyId);

    /**
     * The ring steps of a call arriving {@code now}; empty when there are no rules or none matches.
     * {@code busy} tells which targets are in a call (for rules that skip busy members).
     */
    Optional<List<RingStep>> steps(String companyId, Instant now, Predicate<Target> busy);

    /** A target answered a call (the routing state of the strategies). */
    void answered(String companyId, String targetKey, Instant at);
}
