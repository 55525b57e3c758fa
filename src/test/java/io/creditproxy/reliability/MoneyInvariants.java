package io.creditproxy.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The design's money invariants, read straight from PostgreSQL with plain JDBC (so the subprocess tests can use it
 * too): for each tenant, balance = Σ ledger and every balance_after is the running sum; no balance below its limit;
 * each job reserved exactly once at its frozen price; at most one settlement per job, whose figures match the job's
 * ledger entries; optionally every job settled.
 */
public final class MoneyInvariants {

    /** What was found, for messages and for tests that want more. */
    public record Summary(int tenants, int jobs, int settled, int open) {
    }

    private final String jdbcUrl;

    public MoneyInvariants(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /** The application's own database in a {@code @QuarkusTest}. */
    public static MoneyInvariants ofApplication() {
        return new MoneyInvariants(org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.datasource.jdbc.url", String.class));
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", "");
    }

    public Summary assertHold(Collection<Long> tenantIds, boolean allSettled) {
        try (Connection c = connect()) {
            List<String> problems = new ArrayList<>();
            int jobs = 0;
            int settled = 0;
            for (long tenant : tenantIds) {
                checkLedger(c, tenant, problems);
                int[] counts = checkJobs(c, tenant, allSettled, problems);
                jobs += counts[0];
                settled += counts[1];
            }
            assertThat(problems).as("money invariants").isEmpty();
            return new Summary(tenantIds.size(), jobs, settled, jobs - settled);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkLedger(Connection c, long tenant, List<String> problems) throws SQLException {
        long balance;
        long limit;
        try (PreparedStatement s = c.prepareStatement("SELECT balance, credit_limit FROM tenants WHERE id = ?")) {
            s.setLong(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    problems.add("tenant " + tenant + " does not exist");
                    return;
                }
                balance = r.getLong(1);
                limit = r.getLong(2);
            }
        }
        long sum = 0;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT id, amount, balance_after FROM ledger_entries WHERE tenant_id = ? ORDER BY id")) {
            s.setLong(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    sum += r.getLong(2);
                    if (sum != r.getLong(3)) {
                        problems.add("tenant " + tenant + ": entry " + r.getLong(1) + " balance_after " + r.getLong(3)
                                + " but the running sum is " + sum);
                    }
                    if (r.getLong(3) < -limit) {
                        problems.add("tenant " + tenant + ": entry " + r.getLong(1) + " left the balance below its limit");
                    }
                }
            }
        }
        if (sum != balance) {
            problems.add("tenant " + tenant + ": balance " + balance + " but Σ ledger " + sum);
        }
        if (balance < -limit) {
            problems.add("tenant " + tenant + ": balance " + balance + " below its limit -" + limit);
        }
    }

    /** @return {jobs, settled} */
    private static int[] checkJobs(Connection c, long tenant, boolean allSettled, List<String> problems) throws SQLException {
        int jobs = 0;
        int settled = 0;
        try (PreparedStatement s = c.prepareStatement("""
                SELECT j.id, j.price_credits, j.status,
                       (SELECT count(*) FROM ledger_entries l WHERE l.job_id = j.id AND l.kind = 'reserve'),
                       (SELECT coalesce(sum(amount), 0) FROM ledger_entries l WHERE l.job_id = j.id AND l.kind = 'reserve'),
                       (SELECT coalesce(sum(amount), 0) FROM ledger_entries l WHERE l.job_id = j.id),
                       (SELECT count(*) FROM ledger_entries l WHERE l.job_id = j.id AND l.kind IN ('refund', 'release')),
                       (SELECT count(*) FROM settlements st WHERE st.job_id = j.id),
                       st.reserved, st.charged
                FROM jobs j LEFT JOIN settlements st ON st.job_id = j.id WHERE j.tenant_id = ?""")) {
            s.setLong(1, tenant);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    jobs++;
                    String job = "job " + r.getString(1) + " (" + r.getString(3) + ") of tenant " + tenant;
                    long price = r.getLong(2);
                    if (r.getLong(4) != 1 || r.getLong(5) != -price) {
                        problems.add(job + ": " + r.getLong(4) + " reserve entries summing to " + r.getLong(5)
                                + ", price " + price);
                    }
                    if (r.getLong(7) > 1) {
                        problems.add(job + ": " + r.getLong(7) + " refund/release entries");
                    }
                    long settlements = r.getLong(8);
                    if (settlements == 0) {
                        if (r.getLong(6) != -price) {
                            problems.add(job + ": unsettled but its ledger sums to " + r.getLong(6));
                        }
                        if (allSettled) {
                            problems.add(job + ": never settled");
                        }
                        continue;
                    }
                    settled++;
                    if (r.getLong(9) != price || r.getLong(6) != -r.getLong(10)) {
                        problems.add(job + ": settlement reserved " + r.getLong(9) + " charged " + r.getLong(10)
                                + " but the job's ledger sums to " + r.getLong(6));
                    }
                }
            }
        }
        return new int[] {jobs, settled};
    }

    /** Jobs of these tenants not settled yet. */
    public long openJobs(Collection<Long> tenantIds) {
        try (Connection c = connect();
             PreparedStatement s = c.prepareStatement("""
                     SELECT count(*) FROM jobs j WHERE j.tenant_id = ANY (?)
                     AND NOT EXISTS (SELECT 1 FROM settlements st WHERE st.job_id = j.id)""")) {
            s.setArray(1, c.createArrayOf("bigint", tenantIds.toArray()));
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A single number from SQL with positional parameters. */
    public long scalar(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void execute(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            s.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
