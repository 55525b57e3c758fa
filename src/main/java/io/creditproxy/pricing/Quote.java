package io.creditproxy.pricing;

import java.math.BigDecimal;

/**
 * The price of one submit, with everything it was computed from, frozen onto the job.
 *
 * @param unit         image, second or clip
 * @param quantity     billed units (images, seconds, clips)
 * @param usdUnitPrice fal's price per unit
 * @param factor       resolution factor as an exact fraction ("1", "4/3", "8/3")
 * @param credits      ceil(usdUnitPrice x quantity x factor x exchangeRate x creditsPerCny)
 */
public record Quote(String modelId, String unit, int quantity, BigDecimal usdUnitPrice, String factor,
                    BigDecimal exchangeRate, BigDecimal creditsPerCny, long credits) {
}
