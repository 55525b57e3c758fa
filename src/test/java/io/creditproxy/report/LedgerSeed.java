package io.creditproxy.report;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Seeds jobs, ledger entries and settlements with chosen timestamps by SQL, keeping the invariants the
 * application keeps: each entry moves the tenant's balance and carries the balance after it (so balance =
 * Σ ledger), entries are written in time order, and a settlement's refunded = reserved - charged.
 */
final class LedgerSeed {

    private final DataSource ds;

    LedgerSeed(DataSource ds) {
        this.ds = ds;
    }

    long keyId(long tenantId) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT min(id) FROM api_keys WHERE tenant_id = ?")) {
            ps.setLong(1, tenantId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** A job with its price frozen and its outcome; the caller writes its ledger entries. */
    UUID job(long tenantId, long keyId, String model, String unit, int quantity, String usdUnitPrice, String factor,
             String exchangeRate, long priceCredits, String status, Integer delivered, String billable,
             OffsetDateTime createdAt) throws SQLException {
        UUID id = UUID.randomUUID();
        boolean settled = !status.equals("RESERVED") && !status.equals("SUBMITTED");
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO jobs (id, tenant_id, api_key_id, model_id, status, unit, quantity, usd_unit_price,
                                       price_factor, exchange_rate, credits_per_cny, price_credits, request_id,
                                       delivered_units, billable_units, settled_at, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 10000, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setObject(1, id);
            ps.setLong(2, tenantId);
            ps.setLong(3, keyId);
            ps.setString(4, model);
            ps.setString(5, status);
            ps.setString(6, unit);
            ps.setInt(7, quantity);
            ps.setBigDecimal(8, new BigDecimal(usdUnitPrice));
            ps.setString(9, factor);
            ps.setBigDecimal(10, new BigDecimal(exchangeRate));
            ps.setLong(11, priceCredits);
            ps.setString(12, status.equals("REJECTED") ? null : "req-" + id);
            if (delivered == null) {
                ps.setNull(13, Types.INTEGER);
            } else {
                ps.setInt(13, delivered);
            }
            ps.setString(14, billable);
            ps.setObject(15, settled ? createdAt.plusMinutes(1) : null);
            ps.setObject(16, createdAt);
            ps.setObject(17, createdAt);
            ps.executeUpdate();
        }
        return id;
    }

    /** One ledger entry at a chosen time, moving the balance exactly as LedgerService.apply does. */
    void entry(long tenantId, long amount, String kind, UUID jobId, String reason, OffsetDateTime at) throws SQLException {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            long after;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE tenants SET balance = balance + ? WHERE id = ? RETURNING balance")) {
                ps.setLong(1, amount);
                ps.setLong(2, tenantId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    after = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO ledger_entries (tenant_id, amount, balance_after, kind, job_id, reason, created_by, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
                ps.setLong(1, tenantId);
                ps.setLong(2, amount);
                ps.setLong(3, after);
                ps.setString(4, kind);
                ps.setObject(5, jobId);
                ps.setString(6, reason);
                ps.setString(7, jobId == null ? "seed-admin" : null);
                ps.setObject(8, at);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    void settlement(UUID jobId, String outcome, long reserved, long charged, OffsetDateTime at) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO settlements (job_id, outcome, reserved, charged, refunded, source, settled_at)
                     VALUES (?, ?, ?, ?, ?, 'webhook', ?)""")) {
            ps.setObject(1, jobId);
            ps.setString(2, outcome);
            ps.setLong(3, reserved);
            ps.setLong(4, charged);
            ps.setLong(5, reserved - charged);
            ps.setObject(6, at);
            ps.executeUpdate();
        }
    }
}
