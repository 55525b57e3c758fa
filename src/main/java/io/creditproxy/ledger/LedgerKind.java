package io.creditproxy.ledger;

/** Why a balance moved. Stored as the lower-case name. */
public enum LedgerKind {
    /** an admin added credits */
    TOPUP,
    /** an admin took credits away (or corrected a balance) */
    ADJUSTMENT,
    /** the price of a job, taken at submit */
    RESERVE,
    /** a reservation given back because fal refused or could not be reached */
    REFUND;

    public String dbName() {
        return name().toLowerCase();
    }
}
