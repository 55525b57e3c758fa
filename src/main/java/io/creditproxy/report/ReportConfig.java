package io.creditproxy.report;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Finance reports and the tenants' usage views. */
@ConfigMapping(prefix = "report")
public interface ReportConfig {

    /** IANA time zone of days and months when the caller gives no {@code tz}. */
    @WithDefault("Asia/Shanghai")
    String defaultTimeZone();

    /** Jobs or ledger entries per page when the caller gives no {@code limit}. */
    @WithDefault("50")
    int defaultPageSize();

    /** Largest page a caller may ask for. */
    @WithDefault("500")
    int maxPageSize();
}
