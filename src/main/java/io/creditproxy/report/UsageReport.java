package io.creditproxy.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A usage report: the period [from, to) in a time zone, its rows, and totals equal to the sum of the rows. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record UsageReport(String from,
                          String to,
                          @JsonProperty("time_zone") String timeZone,
                          @JsonProperty("group_by") List<String> groupBy,
                          @JsonProperty("tenant_id") Long tenantId,
                          String model,
                          List<UsageRow> rows,
                          UsageFigures totals) {
}
