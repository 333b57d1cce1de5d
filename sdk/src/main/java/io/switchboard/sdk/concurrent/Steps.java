package io.switchboard.sdk.concurrent;

import java.util.function.Consumer;

/**
 * Running the steps a batch hands on (deliveries, answers, follow-ups) one after another on a
 * bundle's own thread, where one step's failure must not keep the others from running.
 */
public final class Steps {
    private Steps() {}

    /** Runs each step in order; a step that throws is handed to {@code failed} and the next one runs. */
    public static void runEach(Iterable<? extends Runnable> steps, Consumer<? super RuntimeException> failed) {
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                failed.accept(e);
            }
        }
    }
}
