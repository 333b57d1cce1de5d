package io.switchboard.accounts.store;

import io.switchboard.sdk.api.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Blocks in {@code accounts.blocks}: one row per (blocker, blocked) pair, keyed by both. */
public final class BlockStore {
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final DataSource dataSource;

    public BlockStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records the block unless it exists; blocking again keeps the first time. An account that
     * vanished since it was looked up is a 404, decided by the foreign keys.
     */
    public void block(String blockerId, String blockedId, Instant now) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO accounts.blocks (blocker_id, blocked_id, blocked_at) "
                     + "VALUES (?, ?, ?) ON CONFLICT (blocker_id, blocked_id) DO NOTHING")) {
            s.setString(1, blockerId);
            s.setString(2, blockedId);
            s.setTimestamp(3, Timestamp.from(now));
            s.executeUpdate();
        } catch (SQLException e) {
            if (FOREIGN_KEY_VIOLATION.equals(e.getSQLState())) {
                throw ApiException.notFound("The account no longer exists.");
            }
            throw new StoreException("Blocking an account", e);
        }
    }

    /** Removes the block; false when there was none. */
    public boolean unblock(String blockerId, String blockedId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "DELETE FROM accounts.blocks WHERE blocker_id = ? AND blocked_id = ?")) {
            s.setString(1, blockerId);
            s.setString(2, blockedId);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("Unblocking an account", e);
        }
    }

    /** One primary-key probe: this runs on every call set-up. */
    public boolean blocks(String blockerId, String blockedId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT 1 FROM accounts.blocks WHERE blocker_id = ? AND blocked_id = ?")) {
            s.setString(1, blockerId);
            s.setString(2, blockedId);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new StoreException("Checking a block", e);
        }
    }

    /** The accounts {@code blockerId} has blocked, newest block first. */
    public List<BlockedAccount> blockedBy(String blockerId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT a.handle, a.display_name, b.blocked_at "
                     + "FROM accounts.blocks b JOIN accounts.accounts a ON a.id = b.blocked_id "
                     + "WHERE b.blocker_id = ? ORDER BY b.blocked_at DESC, a.handle")) {
            s.setString(1, blockerId);
            List<BlockedAccount> blocked = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    blocked.add(new BlockedAccount(r.getString(1), r.getString(2), r.getTimestamp(3).toInstant()));
                }
            }
            return blocked;
        } catch (SQLException e) {
            throw new StoreException("Listing blocks", e);
        }
    }
}
