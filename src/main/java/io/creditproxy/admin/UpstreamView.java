package io.creditproxy.admin;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An upstream fal account as admins see it: never its key, only the prefix. {@code health}: healthy, cooling_down
 * (rate limited until {@code cooled_until}), disabled ({@code disabled_reason}; {@code disabled_by} proxy: re-checked
 * and re-enabled automatically, admin: stays off) or no_weight. The balance is fal's, as last read
 * ({@code balance_checked_at}); {@code spend_today_usd} is fal's cost of the account's jobs kept since 00:00 UTC (fal's
 * billed cost when known, else the price list's).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UpstreamView(long id, String name, String keyPrefix, int weight, boolean enabled, String health,
                           String disabledReason, String disabledBy, Instant cooledUntil, String lastError,
                           Instant lastErrorAt, @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal balanceUsd,
                           Instant balanceCheckedAt, List<String> groups, long jobsInFlight, long jobsToday,
                           @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal spendTodayUsd, boolean fromFalKey,
                           Instant createdAt) {
}
