package io.creditproxy.ledger;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A submit's reservation as fragments of one SQL statement: the one balance movement that does not go through
 * {@link LedgerService#apply}, because billing/ReservationService group-commits it with the job's insert in a
 * single statement. The rule is apply's: a conditional update that never takes the balance below minus the credit
 * limit, and an appended {@code reserve} entry carrying the balance after it. The key's credit quota is taken in the
 * same statement: the price is charged to the balance only if the key's remaining quota covers it too, and then
 * added to the key's {@code credits_used}; neither moves without the other.
 *
 * <p>The statement is {@code WITH} {@link #CHARGED} (CTEs {@code locked}, {@code quota_ok}, {@code charged}), a CTE
 * named {@code job} that inserts the job {@code FROM charged} and returns its {@code id}, then {@link #ENTRY} and
 * {@link #KEY_SPENT}; the {@code bind} methods set each fragment's parameters.
 *
 * <p>Locks are taken tenant row first, then key row, as every other writer of both does (a settlement's give-back:
 * {@link LedgerService#apply} then {@link LedgerService#returnToKey}), so statements never deadlock on them. The quota
 * is checked with {@code FOR NO KEY UPDATE} (the lock the updates take anyway, so foreign-key checks of other
 * transactions are not blocked), which re-reads the key row as last committed once the lock is held (the
 * statement's snapshot may predate a reservation that committed while this one waited for the tenant row); every
 * change of {@code credits_used} is made under its tenant's row lock, so the check holds until the commit.
 */
public final class ReserveStatement {

    private ReserveStatement() {
    }

    /**
     * CTEs {@code locked} (the tenant row, locked first), {@code quota_ok} (one row when the key's remaining quota
     * covers the price, the key row locked) and {@code charged} (takes the price from the tenant's balance if it
     * covers it and the quota did; its one row is the balance after).
     */
    public static final String CHARGED = """
            locked AS MATERIALIZED (
                SELECT id FROM tenants WHERE id = ? FOR NO KEY UPDATE),
            quota_ok AS MATERIALIZED (
                SELECT id FROM api_keys
                WHERE id = ? AND (credit_quota IS NULL OR credits_used + ? <= credit_quota) AND EXISTS (SELECT 1 FROM locked)
                FOR NO KEY UPDATE),
            charged AS (
                UPDATE tenants SET balance = balance - ?
                WHERE id = ? AND balance - ? >= -credit_limit AND EXISTS (SELECT 1 FROM quota_ok)
                RETURNING balance)""";

    /** CTE {@code entry}: the reserve entry of the job the CTE {@code job} inserted, with the balance after it. */
    public static final String ENTRY = """
            entry AS (
                INSERT INTO ledger_entries (tenant_id, amount, balance_after, kind, job_id)
                SELECT ?, ?, charged.balance, '%s', job.id FROM charged, job)""".formatted(LedgerKind.RESERVE.dbName());

    /** CTE {@code key_spent}: what was charged is added to the key's spend (only if it was charged). */
    public static final String KEY_SPENT = """
            key_spent AS (
                UPDATE api_keys SET credits_used = credits_used + ?, last_used_at = now()
                WHERE id = ? AND EXISTS (SELECT 1 FROM charged))""";

    /** Columns for the statement's final SELECT: whether the quota covered the price, the key's quota and spend. */
    public static final String QUOTA_COLUMNS = """
            (SELECT count(*) FROM quota_ok), (SELECT credit_quota FROM api_keys WHERE id = ?),
            (SELECT credits_used FROM api_keys WHERE id = ?)""";

    /**
     * Gives back a charge whose job was not inserted (another instance inserted the same Idempotency-Key first, so
     * {@link #ENTRY} wrote nothing): the balance and the key's spend are as if they never moved.
     */
    public static final String UNDO_CHARGE = """
            WITH t AS (UPDATE tenants SET balance = balance + ? WHERE id = ? RETURNING id)
            UPDATE api_keys SET credits_used = credits_used - ? WHERE id = ? AND EXISTS (SELECT 1 FROM t)""";

    /** Sets the parameters of {@link #CHARGED} from {@code index}; returns the index after them. */
    public static int bindCharged(PreparedStatement statement, int index, long tenantId, long keyId, long price)
            throws SQLException {
        statement.setLong(index, tenantId);
        statement.setLong(index + 1, keyId);
        statement.setLong(index + 2, price);
        statement.setLong(index + 3, price);
        statement.setLong(index + 4, tenantId);
        statement.setLong(index + 5, price);
        return index + 6;
    }

    /** Sets the parameters of {@link #ENTRY} from {@code index}; returns the index after them. */
    public static int bindEntry(PreparedStatement statement, int index, long tenantId, long price) throws SQLException {
        statement.setLong(index, tenantId);
        statement.setLong(index + 1, -price);
        return index + 2;
    }

    /** Sets the parameters of {@link #KEY_SPENT} from {@code index}; returns the index after them. */
    public static int bindKeySpent(PreparedStatement statement, int index, long keyId, long price) throws SQLException {
        statement.setLong(index, price);
        statement.setLong(index + 1, keyId);
        return index + 2;
    }

    /** Sets the parameters of {@link #QUOTA_COLUMNS} from {@code index}; returns the index after them. */
    public static int bindQuotaColumns(PreparedStatement statement, int index, long keyId) throws SQLException {
        statement.setLong(index, keyId);
        statement.setLong(index + 1, keyId);
        return index + 2;
    }

    /** Sets the parameters of {@link #UNDO_CHARGE}. */
    public static void bindUndo(PreparedStatement statement, long tenantId, long keyId, long price) throws SQLException {
        statement.setLong(1, price);
        statement.setLong(2, tenantId);
        statement.setLong(3, price);
        statement.setLong(4, keyId);
    }
}
