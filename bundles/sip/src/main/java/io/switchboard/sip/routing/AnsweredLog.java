package io.switchboard.sip.routing;

import io.switchboard.sdk.concurrent.DaemonThreads;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers of routing targets ({@link StoredRoutingState#answered}), written behind the calls that
 * make them. Every answer of a company's target updates one row, and with each update waiting for its
 * commit the calls answered by one extension would queue on that row's lock; here they are counted in
 * memory and written by one thread, all that came meanwhile in one transaction with one update per
 * target. Nothing is dropped: what fails to write stays counted and is written at the next turn (after
 * {@link #RETRY}); {@link #close} writes what is left.
 */
public final class AnsweredLog {
    private static final Logger LOG = LoggerFactory.getLogger(AnsweredLog.class);
    static final long RETRY = TimeUnit.SECONDS.toMillis(1);

    private record Key(String companyId, String targetKey) {}

    private record Count(int answers, Instant last) {
        Count plus(Count other) {
            return new Count(answers + other.answers, last.isAfter(other.last) ? last : other.last);
        }
    }

    private final DataSource db;
    /** Answers not written yet; guarded by {@code this}. */
    private Map<Key, Count> pending = new LinkedHashMap<>();
    private boolean open = true;
    private final Thread thread;

    public AnsweredLog(DataSource db) {
        this.db = db;
        this.thread = DaemonThreads.named("switchboard-sip-answers").newThread(this::loop);
        thread.start();
    }

    /** Counts an answer; it is written shortly after, off the caller's thread. */
    public void answered(String companyId, String targetKey, Instant at) {
        synchronized (this) {
            pending.merge(new Key(companyId, targetKey), new Count(1, at), Count::plus);
            notifyAll();
        }
    }

    /** Writes what is counted and stops the thread. */
    public void close() {
        synchronized (this) {
            open = false;
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) thread.interrupt();
    }

    private void loop() {
        while (true) {
            Map<Key, Count> batch;
            boolean last;
            synchronized (this) {
                while (open && pending.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                last = !open;
                batch = pending;
                pending = new LinkedHashMap<>();
            }
            if (!batch.isEmpty() && !write(batch)) {
                synchronized (this) {
                    batch.forEach((k, c) -> pending.merge(k, c, Count::plus));
                }
                if (last) {
                    LOG.warn("{} routing target(s) keep answers not written: the database is not reachable", batch.size());
                    return;
                }
                try {
                    Thread.sleep(RETRY);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (last) return;
        }
    }

    private boolean write(Map<Key, Count> batch) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (Map.Entry<Key, Count> e : batch.entrySet()) {
                    StoredRoutingState.answered(c, e.getKey().companyId(), e.getKey().targetKey(), e.getValue().last(),
                            e.getValue().answers());
                }
                c.commit();
                return true;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Writing the answers of {} routing target(s) failed; retrying: {}", batch.size(), e.toString());
            return false;
        }
    }
}
