package io.switchboard.sip.trunk;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code sip.trunks} table; passwords go in and come out through the {@link SecretBox}. */
public final class TrunkStore {
    private static final String COLUMNS = "id, company_id, name, mode, host, port, transport, username, password_sealed, "
            + "realm, priority, weight, max_channels, created_at";
    private static final String UNIQUE_VIOLATION = "23505";
    private final DataSource db;
    private final SecretBox secrets;

    public TrunkStore(DataSource db, SecretBox secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    /** Stores a new trunk; false when the company already has a trunk of that name. */
    public boolean insert(Trunk t) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO sip.trunks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, t.id());
            s.setString(2, t.companyId());
            s.setString(3, t.name());
            s.setString(4, t.mode().name().toLowerCase(Locale.ROOT));
            s.setString(5, t.host());
            s.setInt(6, t.port());
            s.setString(7, t.transport().name().toLowerCase(Locale.ROOT));
            s.setString(8, t.username());
            s.setString(9, t.password() == null ? null : secrets.seal(t.password()));
            s.setString(10, t.realm());
            s.setInt(11, t.priority());
            s.setInt(12, t.weight());
            if (t.maxChannels() == null) s.setNull(13, Types.INTEGER);
            else s.setInt(13, t.maxChannels());
            s.setTimestamp(14, Timestamp.from(t.createdAt()));
            s.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) return false;
            throw new IllegalStateException("trunks: " + e.getMessage(), e);
        }
    }

    /** The company's trunks, by priority then name. */
    public List<Trunk> ofCompany(String companyId) {
        return query("SELECT " + COLUMNS + " FROM sip.trunks WHERE company_id = ? ORDER BY priority, name", companyId);
    }

    /** Every trunk (to start their registrations and probes). */
    public List<Trunk> all() {
        return query("SELECT " + COLUMNS + " FROM sip.trunks ORDER BY created_at", null);
    }

    public Optional<Trunk> find(String companyId, String id) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM sip.trunks WHERE company_id = ? AND id = ?")) {
            s.setString(1, companyId);
            s.setString(2, id);
            List<Trunk> found = read(s);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        } catch (SQLException e) {
            throw new IllegalStateException("trunks: " + e.getMessage(), e);
        }
    }

    public boolean delete(String companyId, String id) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM sip.trunks WHERE company_id = ? AND id = ?")) {
            s.setString(1, companyId);
            s.setString(2, id);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("trunks: " + e.getMessage(), e);
        }
    }

    private List<Trunk> query(String sql, String companyId) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            if (companyId != null) s.setString(1, companyId);
            return read(s);
        } catch (SQLException e) {
            throw new IllegalStateException("trunks: " + e.getMessage(), e);
        }
    }

    private List<Trunk> read(PreparedStatement s) throws SQLException {
        List<Trunk> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                String sealed = r.getString(9);
                Integer maxChannels = (Integer) r.getObject(13);
                out.add(new Trunk(r.getString(1), r.getString(2), r.getString(3),
                        Trunk.Mode.valueOf(r.getString(4).toUpperCase(Locale.ROOT)), r.getString(5), r.getInt(6),
                        Trunk.Transport.valueOf(r.getString(7).toUpperCase(Locale.ROOT)), r.getString(8),
                        sealed == null ? null : secrets.open(sealed), r.getString(10), r.getInt(11), r.getInt(12),
                        maxChannels, r.getTimestamp(14).toInstant()));
            }
        }
        return out;
    }
}
