package io.creditproxy.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.time.OffsetDateTime;

/** One line of the audit log as GET /admin/audit shows it. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AuditEntry(long id, OffsetDateTime at, String actor, String actorRole, String action, Long tenantId,
                         String modelId, String target, JsonNode before, JsonNode after) {
}
