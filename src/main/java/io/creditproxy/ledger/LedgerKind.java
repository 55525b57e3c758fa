package io.creditproxy.ledger;

/** Why a balance moved. Stored as the lower-case name. */
public enum LedgerKind {
    /** an admin added credits */
    TOPUP,
    /** an admin took credits away (or corrected a balance) */
    ADJUSTMENT,
    /** the price of a job, taken at submit */
    RESERVE,
    /** a whole reservation given back: fal refused the submit, or the job failed or was cancelled (void) */
    REFUND,
    /** the unused part of a posted reservation (fewer outputs delivered than paid for) */
    RELEASE,
    /** the price of a file upload through the proxy (only when the operator set one) */
    UPLOAD,
    /** an upload's price given back: its bytes never reached fal */
    UPLOAD_REFUND;

    public String dbName() {
        return name().toLowerCase();
    }
}
