package io.switchboard.calls.call;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code calls} table. Each change is guarded by the state it expects, so two racing steps cannot both win. */
public final class CallStore {
    private static final String COLUMNS =
            "id, caller_id, callee_id, video, state, reason, ended_by, started_at, answered_at, ended_at";
    private final DataSource db;

    public CallStore(DataSource db) {
        this.db = db;
    }

    /** A connection to write on, in a transaction of the caller's ({@link CallLog}). */
    Connection connection() throws SQLException {
        return db.getConnection();
    }

    public void insert(Connection connection, Call c) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO calls.calls (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, c.id());
            ps.setString(2, c.callerId());
            ps.setString(3, c.calleeId());
            ps.setBoolean(4, c.video());
            ps.setString(5, c.state().wire());
            ps.setString(6, c.reason());
            ps.setString(7, c.endedBy());
            setTime(ps, 8, c.startedAt());
            setTime(ps, 9, c.answeredAt());
            setTime(ps, 10, c.endedAt());
            ps.executeUpdate();
        }
    }

    /** Writes {@code next} if the stored call is still in {@code expected}; false when it was not. */
    public boolean update(Connection connection, Call next, CallState expected) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE calls.calls SET video = ?, state = ?, reason = ?, "
                + "ended_by = ?, answered_at = ?, ended_at = ? WHERE id = ? AND state = ?")) {
            ps.setBoolean(1, next.video());
            ps.setString(2, next.state().wire());
            ps.setString(3, next.reason());
            ps.setString(4, next.endedBy());
            setTime(ps, 5, next.answeredAt());
            setTime(ps, 6, next.endedAt());
            ps.setString(7, next.id());
            ps.setString(8, expected.wire());
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<Call> find(String id) {
        return sql("SELECT " + COLUMNS + " FROM calls.calls WHERE id = ?", ps -> {
            ps.setString(1, id);
            List<Call> found = read(ps);
            return found.isEmpty() ? Optional.<Call>empty() : Optional.of(found.get(0));
        });
    }

    /** Calls still ringing or answered (after a restart of the bundle). */
    public List<Call> live() {
        return sql("SELECT " + COLUMNS + " FROM calls.calls WHERE state IN ('ringing', 'answered')", CallStore::read);
    }

    /**
     * The account's calls, newest first; {@code beforeId} (one of its own calls) pages back. Empty when
     * {@code beforeId} is not one of the account's calls.
     */
    public List<Call> history(String accountId, String beforeId, int limit) {
        String paging = beforeId == null ? "" : " AND seq < (SELECT seq FROM calls.calls WHERE id = ? AND (caller_id = ? OR callee_id = ?))";
        // One index range per side, merged: no OR over two columns in the scan itself.
        String side = "SELECT " + COLUMNS + ", seq FROM calls.calls WHERE %s = ?" + paging + " ORDER BY seq DESC LIMIT ?";
        String query = "SELECT " + COLUMNS + " FROM ((" + side.formatted("caller_id") + ") UNION ALL ("
                + side.formatted("callee_id") + ")) AS both_sides ORDER BY seq DESC LIMIT ?";
        return sql(query, ps -> {
            int i = 1;
            for (int s = 0; s < 2; s++) {
                ps.setString(i++, accountId);
                if (beforeId != null) {
                    ps.setString(i++, beforeId);
                    ps.setString(i++, accountId);
                    ps.setString(i++, accountId);
                }
                ps.setInt(i++, limit);
            }
            ps.setInt(i, limit);
            return read(ps);
        });
    }

    private static List<Call> read(PreparedStatement ps) throws SQLException {
        List<Call> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Call(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        CallState.ofWire(rs.getString(5)), rs.getString(6), rs.getString(7), time(rs, 8), time(rs, 9),
                        time(rs, 10)));
            }
        }
        return out;
    }

    private static Instant time(ResultSet rs, int column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }

    private static void setTime(PreparedStatement ps, int column, Instant t) throws SQLException {
        if (t == null) ps.setNull(column, Types.TIMESTAMP_WITH_TIMEZONE);
        else ps.setTimestamp(column, Timestamp.from(t));
    }

    private interface Work<T> {
        T run(PreparedStatement ps) throws SQLException;
    }

    private <T> T sql(String statement, Work<T> work) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(statement)) {
            return work.run(ps);
        } catch (SQLException e) {
            throw new IllegalStateException("calls store: " + e.getMessage(), e);
        }
    }
}
