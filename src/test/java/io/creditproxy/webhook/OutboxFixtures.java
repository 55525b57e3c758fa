package io.creditproxy.webhook;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Rows for the webhook tests, written with plain SQL: a tenant, a key and a job to hang deliveries on
 * (the settlement code that enqueues in production is not needed for this).
 */
@ApplicationScoped
public class OutboxFixtures {

    private final AgroalDataSource db;

    public OutboxFixtures(AgroalDataSource db) {
        this.db = db;
    }

    long tenant() {
        return queryLong("INSERT INTO tenants (name) VALUES ('webhook test') RETURNING id");
    }

    /** A new job of a new tenant (or of {@code tenantId} when given). */
    UUID job(Long tenantId) {
        long tenant = tenantId != null ? tenantId : tenant();
        long key = queryLong("INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES (" + tenant
                + ", 'test', 'cp_test', '" + UUID.randomUUID() + "') RETURNING id");
        UUID job = UUID.randomUUID();
        update("INSERT INTO jobs (id, tenant_id, api_key_id, model_id, status, unit, quantity, usd_unit_price, "
                + "exchange_rate, credits_per_cny, price_credits) VALUES ('" + job + "', " + tenant + ", " + key
                + ", 'fal-ai/flux-1/dev', 'SUBMITTED', 'image', 1, 0.025, 3, 10000, 750)");
        return job;
    }

    long tenantOf(UUID job) {
        return queryLong("SELECT tenant_id FROM jobs WHERE id = '" + job + "'");
    }

    /** The delivery row of a job, or null. */
    Map<String, Object> delivery(UUID job) {
        try (Connection c = db.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT * FROM webhook_deliveries WHERE job_id = ?")) {
            ps.setObject(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
                }
                if (rs.next()) {
                    throw new AssertionError("more than one delivery for job " + job);
                }
                return row;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    String status(UUID job) {
        Map<String, Object> row = delivery(job);
        return row == null ? null : (String) row.get("status");
    }

    long countDeliveries(UUID job) {
        return queryLong("SELECT count(*) FROM webhook_deliveries WHERE job_id = '" + job + "'");
    }

    int update(String sql) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    long queryLong(String sql) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
