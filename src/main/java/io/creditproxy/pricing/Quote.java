package io.creditproxy.pricing;

import java.math.BigDecimal;

/**
 * The price of one submit, with everything it was computed from, frozen onto the job.
 *
 * @param unit            image, second or clip
 * @param quantity        billed units (images, seconds, clips)
 * @param usdUnitPrice    fal's price per unit
 * @param factor          resolution factor as an exact fraction ("1", "4/3", "8/3")
 * @param credits         ceil(usdUnitPrice x quantity x factor x exchangeRate x creditsPerCny x priceMultiplier
 *                        x groupMultiplier)
 * @param priceVersionId  the model_price_versions row in force (null only for a price not read from the table)
 * @param rateVersionId   the rate_versions row in force (exchange rate and credits per CNY)
 * @param priceMultiplier the tenant's multiplier (1 = list price), exact decimal
 * @param groupId         the price group of the key (null: priced without one)
 * @param groupMultiplier the group's multiplier (1 = list price), exact decimal
 */
public record Quote(String modelId, String unit, int quantity, BigDecimal usdUnitPrice, String factor,
                    BigDecimal exchangeRate, BigDecimal creditsPerCny, long credits, Long priceVersionId,
                    Long rateVersionId, BigDecimal priceMultiplier, Long groupId, BigDecimal groupMultiplier) {

    /** A quote at list price that names no version (kept for callers written before price history). */
    public Quote(String modelId, String unit, int quantity, BigDecimal usdUnitPrice, String factor,
                 BigDecimal exchangeRate, BigDecimal creditsPerCny, long credits) {
        this(modelId, unit, quantity, usdUnitPrice, factor, exchangeRate, creditsPerCny, credits, null, null,
                BigDecimal.ONE, null, BigDecimal.ONE);
    }

    public Quote {
        priceMultiplier = priceMultiplier == null ? BigDecimal.ONE : priceMultiplier;
        groupMultiplier = groupMultiplier == null ? BigDecimal.ONE : groupMultiplier;
    }

    Quote withVersions(Long priceVersion, Long rateVersion) {
        return new Quote(modelId, unit, quantity, usdUnitPrice, factor, exchangeRate, creditsPerCny, credits,
                priceVersion, rateVersion, priceMultiplier, groupId, groupMultiplier);
    }

    /** The same price, recorded as the tenant's multiplier and the group's (whose product it was computed with). */
    Quote withMultipliers(BigDecimal tenantMultiplier, Long group, BigDecimal groupMultiplier) {
        return new Quote(modelId, unit, quantity, usdUnitPrice, factor, exchangeRate, creditsPerCny, credits,
                priceVersionId, rateVersionId, tenantMultiplier, group, groupMultiplier);
    }
}
