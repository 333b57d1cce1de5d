package io.switchboard.sip.b2bua;

import io.switchboard.sip.trunk.Trunk;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Component;

/**
 * The calls each trunk carries now, in both directions, against its optional {@code maxChannels}: a
 * call takes a channel when its INVITE goes out or comes in and gives it back when it is over. A trunk
 * at its limit takes no more calls (a call out tries the next trunk, a call in gets 503).
 */
@Component(service = TrunkChannels.class)
public class TrunkChannels {
    private final Map<String, AtomicInteger> inUse = new ConcurrentHashMap<>();

    /** Takes a channel of {@code trunk}; false (nothing taken) when all of its channels are in use. */
    public boolean acquire(Trunk trunk) {
        AtomicInteger n = inUse.computeIfAbsent(trunk.id(), k -> new AtomicInteger());
        Integer max = trunk.maxChannels();
        while (true) {
            int now = n.get();
            if (max != null && now >= max) return false;
            if (n.compareAndSet(now, now + 1)) return true;
        }
    }

    /** Gives back a channel taken with {@link #acquire}. */
    public void release(Trunk trunk) {
        AtomicInteger n = inUse.get(trunk.id());
        if (n != null) n.updateAndGet(v -> Math.max(0, v - 1));
    }

    /** Channels of the trunk in use now. */
    public int inUse(String trunkId) {
        AtomicInteger n = inUse.get(trunkId);
        return n == null ? 0 : n.get();
    }
}
