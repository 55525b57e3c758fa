package io.creditproxy.tenant;

import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The tenant user behind a request made with a tenant JWT ({@code POST /v1/login}): role {@link #ROLE} in the
 * {@code groups} claim, the tenant's id in {@link #TENANT_ID}. The token was already checked against the user's row
 * (exists, not disabled, same token version, same tenant) by admin/AdminTokenCheck before any resource runs, so
 * the claim can be trusted here. Resources of the System API read the tenant from here and from nowhere else.
 */
@RequestScoped
public class TenantUserToken {

    /** the role of tenant users; never given to an admin, and no admin role is ever given to a tenant user */
    public static final String ROLE = "tenant";
    /** the claim carrying the tenant's id */
    public static final String TENANT_ID = "tenant_id";

    private final JsonWebToken token;

    public TenantUserToken(JsonWebToken token) {
        this.token = token;
    }

    /** @throws ApiException 401 when the request carries no tenant user's token (a wiring mistake otherwise) */
    public long tenantId() {
        Long id = tenantIdOf(token.getClaim(TENANT_ID));
        if (id == null || !token.getGroups().contains(ROLE)) {
            throw ApiException.unauthorized("A tenant user's token is required: POST /v1/login.");
        }
        return id;
    }

    public String username() {
        return token.getName();
    }

    /** The tenant id of a {@link #TENANT_ID} claim value, or null. */
    public static Long tenantIdOf(Object claim) {
        return claimAsLong(claim);
    }

    /** A JWT claim (a JSON number, a numeric string, or a Java number) as a long, or null. */
    public static Long claimAsLong(Object claim) {
        Object v = claim instanceof JsonNumber n ? (Object) n.longValue()
                : claim instanceof JsonString s ? s.getString() : claim;
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.valueOf(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** Whether an Authorization header carries a JWT (three base64url parts) rather than an API key ("cp_..."). */
    public static boolean isJwt(String authorization) {
        String key = TenantAuthenticator.keyFromHeader(authorization);
        return key != null && key.startsWith("eyJ") && key.chars().filter(c -> c == '.').count() == 2;
    }
}
