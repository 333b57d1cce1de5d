package io.switchboard.accounts.store;

import io.switchboard.accounts.DirectoryText;
import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountKind;
import io.switchboard.sdk.api.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Optional;
import javax.sql.DataSource;

/** Accounts in {@code accounts.accounts}, with their directory words kept in step. */
public final class AccountStore {
    static final String COLUMNS = "a.id, a.handle, a.display_name, a.kind, a.about, a.verified, a.created_at";
    private static final String UNIQUE_VIOLATION = "23505";

    private final DataSource dataSource;

    public AccountStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores a new account. The handle must already be valid and lower-case; a handle taken by another
     * account in any letter case is a 409 {@code handle_taken}, decided by the unique index.
     */
    public AccountInfo create(String handle, String displayName, AccountKind kind, String passwordHash) {
        String id = Ids.newId();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                AccountInfo created;
                try (PreparedStatement s = c.prepareStatement(
                        "INSERT INTO accounts.accounts AS a (id, handle, display_name, kind, password_hash) "
                                + "VALUES (?, ?, ?, ?, ?) RETURNING " + COLUMNS)) {
                    s.setString(1, id);
                    s.setString(2, handle);
                    s.setString(3, displayName);
                    s.setString(4, kind.wireName());
                    s.setString(5, passwordHash);
                    try (ResultSet r = s.executeQuery()) {
                        r.next();
                        created = read(r);
                    }
                }
                writeWords(c, id, DirectoryText.accountWords(handle, displayName));
                c.commit();
                return created;
            } catch (SQLException e) {
                c.rollback();
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw ApiException.conflict("handle_taken", "The handle '" + handle + "' is taken.");
                }
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("Creating an account", e);
        }
    }

    /** By lower-case handle. */
    public Optional<AccountInfo> byHandle(String handle) {
        return one("SELECT " + COLUMNS + " FROM accounts.accounts a WHERE lower(a.handle) = lower(?)", handle);
    }

    public Optional<AccountInfo> byId(String id) {
        return one("SELECT " + COLUMNS + " FROM accounts.accounts a WHERE a.id = ?", id);
    }

    public Optional<Credentials> credentials(String handle) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT id, password_hash FROM accounts.accounts WHERE lower(handle) = lower(?)")) {
            s.setString(1, handle);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return Optional.empty();
                return Optional.of(new Credentials(r.getString(1), Optional.ofNullable(r.getString(2))));
            }
        } catch (SQLException e) {
            throw new StoreException("Reading credentials", e);
        }
    }

    public void replacePasswordHash(String accountId, String passwordHash) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "UPDATE accounts.accounts SET password_hash = ?, updated_at = now() WHERE id = ?")) {
            s.setString(1, passwordHash);
            s.setString(2, accountId);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("Replacing a password hash", e);
        }
    }

    /**
     * Changes the profile texts. {@code displayName} null keeps it; {@code setAbout} false keeps about,
     * otherwise {@code about} (null clears it). Empty when the account does not exist.
     */
    public Optional<AccountInfo> updateProfile(String accountId, String displayName, boolean setAbout, String about) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<AccountInfo> updated;
                try (PreparedStatement s = c.prepareStatement(
                        "UPDATE accounts.accounts AS a SET display_name = coalesce(?, display_name), "
                                + "about = CASE WHEN ? THEN ? ELSE about END, updated_at = now() "
                                + "WHERE id = ? RETURNING " + COLUMNS)) {
                    s.setString(1, displayName);
                    s.setBoolean(2, setAbout);
                    s.setString(3, about);
                    s.setString(4, accountId);
                    try (ResultSet r = s.executeQuery()) {
                        updated = r.next() ? Optional.of(read(r)) : Optional.empty();
                    }
                }
                if (updated.isPresent() && displayName != null) {
                    AccountInfo a = updated.get();
                    writeWords(c, a.id(), DirectoryText.accountWords(a.handle(), a.displayName()));
                }
                c.commit();
                return updated;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("Updating a profile", e);
        }
    }

    private static void writeWords(Connection c, String accountId, Collection<String> words) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM accounts.directory_words WHERE account_id = ?")) {
            s.setString(1, accountId);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO accounts.directory_words (account_id, word) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            for (String word : words) {
                s.setString(1, accountId);
                s.setString(2, word);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    private Optional<AccountInfo> one(String sql, String parameter) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, parameter);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("Reading an account", e);
        }
    }

    /** Reads the columns of {@link #COLUMNS}, in that order. */
    static AccountInfo read(ResultSet r) throws SQLException {
        return new AccountInfo(r.getString(1), r.getString(2), r.getString(3),
                AccountKind.fromWire(r.getString(4)).orElseThrow(), r.getString(5), r.getBoolean(6),
                r.getTimestamp(7).toInstant());
    }
}
