package io.switchboard.sip.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The {@code sip.devices} table. */
public final class SipDeviceStore {
    private static final String COLUMNS = "id, account_id, name, username, realm, ha1, created_at";
    private final DataSource db;

    public SipDeviceStore(DataSource db) {
        this.db = db;
    }

    public void insert(SipDevice d) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO sip.devices (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, d.id());
            s.setString(2, d.accountId());
            s.setString(3, d.name());
            s.setString(4, d.username());
            s.setString(5, d.realm());
            s.setString(6, d.ha1());
            s.setTimestamp(7, Timestamp.from(d.createdAt()));
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("sip devices: " + e.getMessage(), e);
        }
    }

    public List<SipDevice> ofAccount(String accountId) {
        return query("SELECT " + COLUMNS + " FROM sip.devices WHERE account_id = ? ORDER BY created_at", accountId);
    }

    /** By the username a phone registers with (the registrar's lookup). */
    public Optional<SipDevice> byUsername(String username) {
        return query("SELECT " + COLUMNS + " FROM sip.devices WHERE username = ?", username).stream().findFirst();
    }

    public boolean delete(String accountId, String id) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM sip.devices WHERE account_id = ? AND id = ?")) {
            s.setString(1, accountId);
            s.setString(2, id);
            return s.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new IllegalStateException("sip devices: " + e.getMessage(), e);
        }
    }

    private List<SipDevice> query(String sql, String key) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, key);
            List<SipDevice> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new SipDevice(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getString(5),
                            r.getString(6), r.getTimestamp(7).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("sip devices: " + e.getMessage(), e);
        }
    }
}
