package io.switchboard.sip.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The {@code sip.device_bindings} table. A REGISTER's changes are one transaction that holds the device's
 * row, so two REGISTERs of one phone are applied one after the other and a deleted phone takes its
 * bindings with it. Expired rows are left out of every answer and swept.
 */
final class BindingStore {
    /** How many contacts one phone may have at once. */
    static final int MAX_PER_DEVICE = 10;
    private static final String COLUMNS =
            "device_id, account_id, contact, source_address, source_port, transport, call_id, cseq, expires_at";

    private final DataSource db;

    /** Why a REGISTER changed nothing. */
    enum Refusal {
        /** RFC 3261 10.3 step 7: a binding holds the same Call-ID with a CSeq as high or higher. */
        OUT_OF_ORDER,
        /** More than {@link #MAX_PER_DEVICE} contacts would be bound. */
        TOO_MANY,
        /** The phone was deleted meanwhile. */
        NO_DEVICE
    }

    /**
     * What one REGISTER asks: {@code contacts} maps each contact URI to the seconds it is to stay bound
     * (0 removes it), or {@code removeAll} ({@code Contact: *}) removes every binding of the phone.
     */
    record Update(String callId, long cseq, String sourceAddress, int sourcePort, String transport, boolean removeAll,
                  Map<String, Integer> contacts) {}

    /** The phone's live bindings after the update, or why nothing was changed. */
    record Outcome(List<Binding> bindings, Refusal refusal) {}

    BindingStore(DataSource db) {
        this.db = db;
    }

    Outcome apply(SipDevice device, Update update, Instant now) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                Outcome outcome = apply(c, device, update, now);
                if (outcome.refusal() == null) c.commit();
                else c.rollback();
                return outcome;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("sip device bindings: " + e.getMessage(), e);
        }
    }

    private Outcome apply(Connection c, SipDevice device, Update update, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM sip.devices WHERE id = ? FOR UPDATE")) {
            s.setString(1, device.id());
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) return new Outcome(List.of(), Refusal.NO_DEVICE);
            }
        }
        try (PreparedStatement s = c.prepareStatement(
                "DELETE FROM sip.device_bindings WHERE device_id = ? AND expires_at <= ?")) {
            s.setString(1, device.id());
            s.setTimestamp(2, Timestamp.from(now));
            s.executeUpdate();
        }
        Map<String, Binding> existing = new HashMap<>();
        for (Binding b : select(c, "device_id", device.id(), now)) existing.put(b.contact(), b);
        Iterable<String> touched = update.removeAll() ? existing.keySet() : update.contacts().keySet();
        for (String contact : touched) {
            Binding b = existing.get(contact);
            if (b != null && b.callId().equals(update.callId()) && b.cseq() >= update.cseq()) {
                return new Outcome(List.of(), Refusal.OUT_OF_ORDER);
            }
        }
        if (update.removeAll()) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM sip.device_bindings WHERE device_id = ?")) {
                s.setString(1, device.id());
                s.executeUpdate();
            }
            return new Outcome(List.of(), null);
        }
        for (Map.Entry<String, Integer> e : update.contacts().entrySet()) {
            if (e.getValue() == 0) remove(c, device.id(), e.getKey());
            else upsert(c, device, e.getKey(), update, now.plusSeconds(e.getValue()));
        }
        List<Binding> current = select(c, "device_id", device.id(), now);
        if (current.size() > MAX_PER_DEVICE) return new Outcome(List.of(), Refusal.TOO_MANY);
        return new Outcome(current, null);
    }

    private static void remove(Connection c, String deviceId, String contact) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM sip.device_bindings WHERE device_id = ? AND contact = ?")) {
            s.setString(1, deviceId);
            s.setString(2, contact);
            s.executeUpdate();
        }
    }

    private static void upsert(Connection c, SipDevice device, String contact, Update u, Instant expiresAt)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO sip.device_bindings (" + COLUMNS + ") "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, contact) DO UPDATE SET "
                + "source_address = excluded.source_address, source_port = excluded.source_port, "
                + "transport = excluded.transport, call_id = excluded.call_id, cseq = excluded.cseq, "
                + "expires_at = excluded.expires_at")) {
            s.setString(1, device.id());
            s.setString(2, device.accountId());
            s.setString(3, contact);
            s.setString(4, u.sourceAddress());
            s.setInt(5, u.sourcePort());
            s.setString(6, u.transport());
            s.setString(7, u.callId());
            s.setLong(8, u.cseq());
            s.setTimestamp(9, Timestamp.from(expiresAt));
            s.executeUpdate();
        }
    }

    /** The phone's live bindings, longest-lived first. */
    List<Binding> ofDevice(String deviceId, Instant now) {
        return read("device_id", deviceId, now);
    }

    /** The live bindings of every phone of the account, longest-lived first. */
    List<Binding> ofAccount(String accountId, Instant now) {
        return read("account_id", accountId, now);
    }

    /** Deletes what expired by {@code now}; how many rows went. */
    int sweep(Instant now) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "DELETE FROM sip.device_bindings WHERE expires_at <= ?")) {
            s.setTimestamp(1, Timestamp.from(now));
            return s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("sip device bindings: " + e.getMessage(), e);
        }
    }

    private List<Binding> read(String column, String key, Instant now) {
        try (Connection c = db.getConnection()) {
            return select(c, column, key, now);
        } catch (SQLException e) {
            throw new IllegalStateException("sip device bindings: " + e.getMessage(), e);
        }
    }

    /** {@code column} is one of ours, never input. */
    private static List<Binding> select(Connection c, String column, String key, Instant now) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM sip.device_bindings WHERE "
                + column + " = ? AND expires_at > ? ORDER BY expires_at DESC, contact")) {
            s.setString(1, key);
            s.setTimestamp(2, Timestamp.from(now));
            List<Binding> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(new Binding(r.getString(1), r.getString(2), r.getString(3), r.getString(4), r.getInt(5),
                            r.getString(6), r.getString(7), r.getLong(8), r.getTimestamp(9).toInstant()));
                }
            }
            return out;
        }
    }
}
