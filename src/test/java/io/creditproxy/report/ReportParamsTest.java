package io.creditproxy.report;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.creditproxy.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report endpoints take typed parameters: every malformed one, on every endpoint that takes it, is the API's 422
 * naming the parameter (never JAX-RS' bare 404 or 400), for admins and tenants alike.
 */
@QuarkusTest
class ReportParamsTest {

    @Test
    void everyMalformedParameterIsA422NamingIt() {
        String finance = Fixtures.financeToken();
        long tenant = Fixtures.createTenant("report-params");
        String key = Fixtures.issueKey(tenant);
        List<String[]> cases = List.of(
                new String[] {"/admin/reports/usage?from=2021-13-01", "from"},
                new String[] {"/admin/reports/usage?to=yesterday", "to"},
                new String[] {"/admin/reports/usage?from=2021-04-01&to=2021-03-01", "to"},
                new String[] {"/admin/reports/usage?tz=Mars/Olympus", "tz"},
                new String[] {"/admin/reports/usage?tz=%2B08:00", "tz"},
                new String[] {"/admin/reports/usage?group_by=week", "group_by"},
                new String[] {"/admin/reports/usage?tenant_id=abc", "tenant_id"},
                new String[] {"/admin/reports/usage?format=xlsx", "format"},
                new String[] {"/admin/jobs?tenant_id=1.5", "tenant_id"},
                new String[] {"/admin/jobs?before=not-a-uuid", "before"},
                new String[] {"/admin/jobs?limit=0", "limit"},
                new String[] {"/admin/jobs?limit=x", "limit"},
                new String[] {"/admin/jobs?status=DONE", "status"},
                new String[] {"/admin/jobs?from=2021-02-30", "from"},
                new String[] {"/admin/jobs/not-a-uuid", "id"},
                new String[] {"/admin/jobs/00000000-0000-0000-0000-000000000000?tz=Nowhere", "tz"},
                new String[] {"/admin/tenants/abc/statement", "id"},
                new String[] {"/admin/tenants/" + tenant + "/statement?format=pdf", "format"},
                new String[] {"/admin/tenants/" + tenant + "/statement?tz=Mars/Olympus", "tz"});
        for (String[] c : cases) {
            given().auth().oauth2(finance).get(c[0]).then().statusCode(422).contentType("application/json")
                    .body("error.code", equalTo("invalid_parameter"))
                    .body("error.param", equalTo(c[1]))
                    .body("error.message", containsString(c[1]));
        }
        List<String[]> tenantCases = List.of(
                new String[] {"/v1/usage?before=x", "before"},
                new String[] {"/v1/usage?limit=100000", "limit"},
                new String[] {"/v1/usage?format=csv", "format"},
                new String[] {"/v1/usage?group_by=model&format=doc", "format"},
                new String[] {"/v1/usage?group_by=tenant,week", "group_by"},
                new String[] {"/v1/usage?status=nope", "status"},
                new String[] {"/v1/usage/123", "job_id"},
                new String[] {"/v1/ledger?from=1st", "from"},
                new String[] {"/v1/ledger?tz=UTC%2B8", "tz"});
        for (String[] c : tenantCases) {
            given().header("Authorization", "Bearer " + key).get(c[0]).then().statusCode(422)
                    .contentType("application/json")
                    .body("error.code", equalTo("invalid_parameter"))
                    .body("error.param", equalTo(c[1]));
        }
        // blank means absent, as before
        given().auth().oauth2(finance).get("/admin/jobs?tenant_id=&limit=&before=&tz=&format=").then().statusCode(200);
        given().header("Authorization", "Bearer " + key).get("/v1/usage?group_by=&from=&to=").then().statusCode(200);
    }
}
