package io.switchboard.accounts.store;

import io.switchboard.sdk.accounts.AccountKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** Sessions in {@code accounts.sessions}: one per login (device), found by the SHA-256 of its token. */
public final class SessionStore {
    private final DataSource dataSource;

    public SessionStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores a new session and returns its id. */
    public String create(String accountId, String deviceName, byte[] tokenHash, Instant now) {
        String id = Ids.newId();
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO accounts.sessions "
                     + "(id, account_id, token_hash, device_name, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, id);
            s.setString(2, accountId);
            s.setBytes(3, tokenHash);
            s.setString(4, deviceName);
            s.setTimestamp(5, Timestamp.from(now));
            s.setTimestamp(6, Timestamp.from(now));
            s.executeUpdate();
            return id;
        } catch (SQLException e) {
            throw new StoreException("Creating a session", e);
        }
    }

    public Optional<SessionOwner> findByTokenHash(byte[] tokenHash) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT s.id, a.id, a.handle, a.kind, s.last_seen_at "
                     + "FROM accounts.sessions s JOIN accounts.accounts a ON a.id = s.account_id WHERE s.token_hash = ?")) {
            s.setBytes(1, tokenHash);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                return Optional.of(new SessionOwner(r.getString(1), r.getString(2), r.getString(3),
                        AccountKind.fromWire(r.getString(4)).orElseThrow(), r.getTimestamp(5).toInstant()));
            }
        } catch (SQLException e) {
            throw new StoreException("Finding a session", e);
        }
    }

    /** Sets last_seen_at to {@code now} unless another request already moved it past {@code staleBefore}. */
    public boolean touch(String sessionId, Instant now, Instant staleBefore) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "UPDATE accounts.sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?")) {
            s.setTimestamp(1, Timestamp.from(now));
            s.setString(2, sessionId);
            s.setTimestamp(3, Timestamp.from(staleBefore));
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("Touching a session", e);
        }
    }

    /** Ends a session; its token stops working at once. */
    public boolean delete(String sessionId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("DELETE FROM accounts.sessions WHERE id = ?")) {
            s.setString(1, sessionId);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("Deleting a session", e);
        }
    }
}
