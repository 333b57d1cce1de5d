package io.switchboard.sdk.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepsTest {
    @Test
    void aFailingStepIsReportedAndTheOthersStillRunInOrder() {
        List<String> ran = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Steps.runEach(List.<Runnable>of(
                () -> ran.add("first"),
                () -> {
                    throw new IllegalStateException("second broke");
                },
                () -> ran.add("third")), e -> failures.add(e.getMessage()));
        assertEquals(List.of("first", "third"), ran);
        assertEquals(List.of("second broke"), failures);
    }
}
