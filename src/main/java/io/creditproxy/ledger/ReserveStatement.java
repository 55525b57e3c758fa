package io.creditproxy.ledger;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A submit's reservation as fragments of one SQL statement: the one balance movement that does not go through
 * {@link LedgerService#apply}, because billing/ReservationService group-commits it with the job's insert in a
 * single statement. The rule is apply's: a conditional update that never takes the balance below minus the credit
 * limit, and an appended {@code reserve} entry carrying the balance after it.
 *
 * <p>The statement is {@code WITH} {@link #CHARGED}, a CTE named {@code job} that inserts the job {@code FROM charged}
 * and returns its {@code id}, then {@link #ENTRY}; the {@code bind} methods set each fragment's parameters.
 */
public final class ReserveStatement {

    private ReserveStatement() {
    }

    /** CTE {@code charged}: takes the price from the tenant's balance if it covers it; its one row is the balance after. */
    public static final String CHARGED = """
            charged AS (
                UPDATE tenants SET balance = balance - ?
                WHERE id = ? AND balance - ? >= -credit_limit
                RETURNING balance)""";

    /** CTE {@code entry}: the reserve entry of the job the CTE {@code job} inserted, with the balance after it. */
    public static final String ENTRY = """
            entry AS (
                INSERT INTO ledger_entries (tenant_id, amount, balance_after, kind, job_id)
                SELECT ?, ?, charged.balance, '%s', job.id FROM charged, job)""".formatted(LedgerKind.RESERVE.dbName());

    /**
     * Gives back a charge whose job was not inserted (another instance inserted the same Idempotency-Key first, so
     * {@link #ENTRY} wrote nothing): the balance is as if it never moved.
     */
    public static final String UNDO_CHARGE = "UPDATE tenants SET balance = balance + ? WHERE id = ?";

    /** Sets the parameters of {@link #CHARGED} from {@code index}; returns the index after them. */
    public static int bindCharged(PreparedStatement statement, int index, long tenantId, long price) throws SQLException {
        statement.setLong(index, price);
        statement.setLong(index + 1, tenantId);
        statement.setLong(index + 2, price);
        return index + 3;
    }

    /** Sets the parameters of {@link #ENTRY} from {@code index}; returns the index after them. */
    public static int bindEntry(PreparedStatement statement, int index, long tenantId, long price) throws SQLException {
        statement.setLong(index, tenantId);
        statement.setLong(index + 1, -price);
        return index + 2;
    }

    /** Sets the parameters of {@link #UNDO_CHARGE}. */
    public static void bindUndo(PreparedStatement statement, long tenantId, long price) throws SQLException {
        statement.setLong(1, price);
        statement.setLong(2, tenantId);
    }
}
