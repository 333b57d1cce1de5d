package io.switchboard.launcher;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Gives back to the operating system the heap that start-up needed and the idle server does not.
 * Start-up loads and links some ten thousand classes and leaves the heap grown far past what a
 * waiting server uses. A collection with tight free-ratio bounds lets G1 shrink the heap and
 * uncommit the regions; the bounds go back to the JVM defaults afterwards so that the heap grows
 * freely again under load. The parallel collector of the README's run command keeps its young
 * generation's size through such a collection (267 MB resident after start-up with it, 269 MB
 * without), so under it the collection, a pause right after the server said it was ready, is
 * skipped. Set {@code SWITCHBOARD_KEEP_HEAP} to skip it always.
 */
final class IdleMemory {
    private IdleMemory() {}

    static void release() {
        if (System.getenv("SWITCHBOARD_KEEP_HEAP") != null || parallelCollector()) return;
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            String min = vm.getVMOption("MinHeapFreeRatio").getValue();
            String max = vm.getVMOption("MaxHeapFreeRatio").getValue();
            vm.setVMOption("MinHeapFreeRatio", "5");
            vm.setVMOption("MaxHeapFreeRatio", "20");
            try {
                System.gc();
            } finally {
                vm.setVMOption("MaxHeapFreeRatio", max);
                vm.setVMOption("MinHeapFreeRatio", min);
            }
        } catch (RuntimeException e) {
            // a JVM without these options: nothing to release
        }
    }

    /** The parallel collector's beans are "PS Scavenge" and "PS MarkSweep". */
    private static boolean parallelCollector() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().anyMatch(gc -> gc.getName().startsWith("PS "));
    }
}
