package io.creditproxy.ledger;

import io.creditproxy.common.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;

/** 402: the API key's remaining credit quota does not cover the price (the tenant's balance may well). */
public class KeyQuotaExceededException extends ApiException {

    public KeyQuotaExceededException(long quota, long remaining, long price) {
        super(402, "key_quota_exceeded",
                "This API key's credit quota does not cover the price: " + remaining + " of " + quota
                        + " credits remain and the price is " + price + ".",
                details(quota, remaining, price));
    }

    private static Map<String, Object> details(long quota, long remaining, long price) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("quota", quota);
        d.put("remaining", remaining);
        d.put("price", price);
        return d;
    }
}
