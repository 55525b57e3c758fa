package io.creditproxy.report;

import jakarta.ws.rs.QueryParam;
import java.time.ZoneId;

/**
 * The report endpoints' period, typed by {@link ReportParamConverters}: {@code from} and {@code to} (dates or
 * timestamps, see {@link TimeBound}) and {@code tz} (an IANA zone PostgreSQL knows). Absent: the current month in the
 * configured zone (see {@link ReportRequests}).
 */
public class PeriodParams {

    @QueryParam("from")
    TimeBound from;

    @QueryParam("to")
    TimeBound to;

    @QueryParam("tz")
    ZoneId tz;
}
