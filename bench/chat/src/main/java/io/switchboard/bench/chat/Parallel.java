package io.switchboard.bench.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Set-up calls on a few threads. */
final class Parallel {
    private Parallel() {}

    /** Threads for set-up: registrations and logins each cost a PBKDF2 hash on the server. */
    static final int THREADS = 4;

    interface Call<T> {
        T run(int i) throws Exception;
    }

    /** {@code call(0..count-1)} on {@link #THREADS} threads, results in order; the first failure is thrown as it was. */
    static <T> List<T> map(int count, Call<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int k = i;
                futures.add(pool.submit(() -> call.run(k)));
            }
            List<T> out = new ArrayList<>(count);
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception cause) throw cause;
                    throw e;
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
