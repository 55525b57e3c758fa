package io.creditproxy.ledger;

import io.creditproxy.common.ApiException;
import java.util.Map;

/** 402: the balance (plus the tenant's credit limit) does not cover the price. */
public class InsufficientCreditsException extends ApiException {

    public InsufficientCreditsException(long balance, long price) {
        super(402, "insufficient_credits",
                "Not enough credits: the balance is " + balance + " and the price is " + price + ".",
                Map.of("balance", balance, "price", price));
    }
}
