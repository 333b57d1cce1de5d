package io.switchboard.gateway.stream;

import io.switchboard.sdk.stream.Json;
import io.switchboard.sdk.stream.SourceUpdate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Stored updates: one row per account and cursor, cursors counted per account in one statement. */
public final class UpdateStore {
    private static final String APPEND = """
            WITH c AS (
                INSERT INTO gateway.update_cursors (account_id, last_cursor) VALUES (?, 1)
                ON CONFLICT (account_id) DO UPDATE SET last_cursor = gateway.update_cursors.last_cursor + 1
                RETURNING last_cursor)
            INSERT INTO gateway.updates (account_id, cursor, type, data)
            SELECT ?, last_cursor, ?, ?::jsonb FROM c
            RETURNING cursor""";
    private static final String SINCE = """
            SELECT cursor, type, data::text FROM gateway.updates
            WHERE account_id = ? AND cursor > ? ORDER BY cursor LIMIT ?""";
    private static final String LATEST = "SELECT last_cursor FROM gateway.update_cursors WHERE account_id = ?";

    private final DataSource dataSource;
    public UpdateStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public long append(String accountId, String type, String json) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(APPEND)) {
            s.setString(1, accountId);
            s.setString(2, accountId);
            s.setString(3, type);
            s.setString(4, json);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store an update", e);
        }
    }

    /** The account's updates after {@code cursor}; their data as stored, JSON already written. */
    public List<SourceUpdate> since(String accountId, long cursor, int limit) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(SINCE)) {
            s.setString(1, accountId);
            s.setLong(2, cursor);
            s.setInt(3, limit);
            List<SourceUpdate> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) out.add(new SourceUpdate(rs.getLong(1), rs.getString(2), new Json(rs.getString(3))));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read updates", e);
        }
    }

    public long latest(String accountId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(LATEST)) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the latest cursor", e);
        }
    }
}
