package io.creditproxy.webhook;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.Instant;
import java.util.UUID;

/**
 * A delivery as admins see it. Only the URL's host: paths and query strings of webhook URLs often carry the
 * tenant's tokens. The payload is left out for the same reason.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WebhookDeliveryView(
        long id,
        UUID jobId,
        long tenantId,
        String urlHost,
        String status,
        int attempts,
        Integer lastStatus,
        String lastError,
        Instant nextAttemptAt,
        Instant createdAt,
        Instant deliveredAt) {
}
