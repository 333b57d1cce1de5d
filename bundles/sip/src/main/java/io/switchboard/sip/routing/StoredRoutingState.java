package io.switchboard.sip.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * One company's {@link RoutingState} in PostgreSQL, so round-robin turns, last calls and answered
 * counts survive restarts. Taking a turn is one atomic upsert: two calls arriving together get
 * different turns, also from two runtimes on one database.
 */
public final class StoredRoutingState implements RoutingState {
    private final DataSource db;
    private final String companyId;

    public StoredRoutingState(DataSource db, String companyId) {
        this.db = db;
        this.companyId = companyId;
    }

    @Override
    public int takeTurn(String rule, int size) {
        // The stored value is the count of calls so far; this call's turn is that count modulo size.
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO sip.routing_turns (company_id, rule, turn) VALUES (?, ?, 1) "
                        + "ON CONFLICT (company_id, rule) DO UPDATE SET turn = sip.routing_turns.turn + 1 RETURNING turn - 1")) {
            s.setString(1, companyId);
            s.setString(2, rule);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return Math.floorMod(r.getInt(1), size);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("routing state: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Instant> lastCall(String targetKey) {
        return read("SELECT last_call FROM sip.routing_targets WHERE company_id = ? AND target = ?", targetKey)
                .map(r -> ((Timestamp) r).toInstant());
    }

    @Override
    public long answeredCalls(String targetKey) {
        return read("SELECT answered FROM sip.routing_targets WHERE company_id = ? AND target = ?", targetKey)
                .map(r -> ((Number) r).longValue()).orElse(0L);
    }

    @Override
    public void answered(String targetKey, Instant at) {
        try (Connection c = db.getConnection()) {
            answered(c, companyId, targetKey, at, 1);
        } catch (SQLException e) {
            throw new IllegalStateException("routing state: " + e.getMessage(), e);
        }
    }

    /** Counts {@code count} answers of the target, the latest at {@code at} (an earlier one leaves the last call as it is). */
    static void answered(Connection c, String companyId, String targetKey, Instant at, int count) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO sip.routing_targets (company_id, target, last_call, answered) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (company_id, target) DO UPDATE SET last_call = GREATEST(sip.routing_targets.last_call, "
                        + "EXCLUDED.last_call), answered = sip.routing_targets.answered + EXCLUDED.answered")) {
            s.setString(1, companyId);
            s.setString(2, targetKey);
            s.setTimestamp(3, Timestamp.from(at));
            s.setInt(4, count);
            s.executeUpdate();
        }
    }

    private Optional<Object> read(String query, String targetKey) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(query)) {
            s.setString(1, companyId);
            s.setString(2, targetKey);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getObject(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("routing state: " + e.getMessage(), e);
        }
    }
}
