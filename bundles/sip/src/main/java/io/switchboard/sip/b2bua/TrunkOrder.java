package io.switchboard.sip.b2bua;

import io.switchboard.sip.trunk.Trunk;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The order a target that names no trunk tries the company's trunks in: by priority (lower first), and
 * among equal priorities by weight, drawn at random (a trunk of weight 2 comes first twice as often as one
 * of weight 1).
 */
final class TrunkOrder {
    private TrunkOrder() {}

    static List<Trunk> of(List<Trunk> trunks) {
        Map<Trunk, Double> draw = new IdentityHashMap<>();
        for (Trunk t : trunks) draw.put(t, -Math.pow(ThreadLocalRandom.current().nextDouble(), 1.0 / Math.max(1, t.weight())));
        List<Trunk> out = new ArrayList<>(trunks);
        out.sort(Comparator.comparingInt(Trunk::priority).thenComparingDouble(draw::get));
        return out;
    }
}
