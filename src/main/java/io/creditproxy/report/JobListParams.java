package io.creditproxy.report;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.QueryParam;
import java.util.UUID;

/** A job listing's filters and page, shared by the admins' and the tenants' endpoints (the tenant is never one). */
public class JobListParams {

    @BeanParam
    PeriodParams period;

    @QueryParam("model")
    String model;

    /** one of {@link JobHistoryService}'s states, any letter case */
    @QueryParam("status")
    String status;

    /** the last job id of the previous page */
    @QueryParam("before")
    UUID before;

    @QueryParam("limit")
    Integer limit;
}
