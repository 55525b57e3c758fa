package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** One group of a usage report: the dimensions asked for (others absent) and the figures. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UsageRow(@JsonProperty("tenant_id") Long tenantId,
                       @JsonProperty("tenant_name") String tenantName,
                       String model,
                       /** YYYY-MM-DD or YYYY-MM in the report's time zone */
                       String period,
                       @JsonUnwrapped UsageFigures figures) {
}
