package io.switchboard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;

/**
 * The same browser calls as {@link CallsWebIT}, with SWITCHBOARD_RTPENGINE set and a real rtpengine on
 * loopback: the media of every call flows through rtpengine. While the browsers talk, rtpengine is
 * asked ({@code list}, {@code query}) what it relays; afterwards its counters must show packets on
 * both legs of the answered call, and no call may be left in it.
 */
class CallsWebRtpengineIT extends CallsWebIT {
    private Rtpengine rtpengine;
    private volatile boolean polling;
    private Thread poller;
    /** Per call id and leg (tag), the most packets rtpengine said it received from that leg. */
    private final Map<String, Map<String, Long>> packets = new ConcurrentHashMap<>();

    @Override
    String name() {
        return "calls-rtpengine";
    }

    @Override
    Map<String, String> environment() throws Exception {
        rtpengine = Rtpengine.start(32000, 32999);
        return Map.of("SWITCHBOARD_RTPENGINE", rtpengine.ngAddress());
    }

    @Override
    void beforeScenarios() {
        polling = true;
        poller = new Thread(() -> {
            while (polling) {
                try {
                    for (Object id : (List<?>) rtpengine.list().getOrDefault("calls", List.of())) {
                        record(id.toString(), rtpengine.query(id.toString()));
                    }
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // The call went away between list and query: the next round sees the rest.
                }
            }
        }, "rtpengine-poller");
        poller.setDaemon(true);
        poller.start();
    }

    private void record(String callId, Map<String, Object> query) {
        Rtpengine.packetsPerLeg(query).forEach((leg, total) ->
                packets.computeIfAbsent(callId, k -> new ConcurrentHashMap<>()).merge(leg, total, Math::max));
    }

    @Override
    void afterScenarios(Map<String, String> callIds) throws Exception {
        polling = false;
        poller.join(5000);
        String answered = callIds.get("answered");
        Map<String, Long> legs = packets.get(answered);
        System.out.println("rtpengine packets per leg: " + packets);
        assertTrue(legs != null, "rtpengine never held the answered call " + answered + ": " + packets + "\n" + rtpengine.log());
        assertTrue(legs.getOrDefault("caller", 0L) > 0, "packets from the caller's browser: " + legs);
        assertTrue(legs.getOrDefault("callee", 0L) > 0, "packets from the callee's browser: " + legs);
        Object left = rtpengine.list().getOrDefault("calls", List.of());
        assertEquals(List.of(), left, "every end of call deletes it in rtpengine");
    }

    @AfterAll
    void stopRtpengine() throws Exception {
        if (rtpengine != null) rtpengine.close();
    }
}
