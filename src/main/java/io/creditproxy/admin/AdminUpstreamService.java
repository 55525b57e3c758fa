package io.creditproxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.audit.AuditLog;
import io.creditproxy.common.ApiException;
import io.creditproxy.fal.UpstreamAccounts;
import io.creditproxy.fal.UpstreamAccounts.Account;
import io.creditproxy.tenant.JsonFields;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The admin side of the upstream pool (fal/UpstreamAccounts): create, list, change and remove fal accounts, each
 * change audited without the key. The key is read once, at creation, and never answered or logged.
 */
@ApplicationScoped
public class AdminUpstreamService {

    private static final Set<String> CREATE_FIELDS = Set.of("name", "key", "weight", "enabled", "groups");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "weight", "enabled", "groups");
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{8,512}");
    private static final int MAX_NAME = 64;

    private final UpstreamAccounts accounts;
    private final EntityManager em;
    private final AuditLog audit;

    public AdminUpstreamService(UpstreamAccounts accounts, EntityManager em, AuditLog audit) {
        this.accounts = accounts;
        this.em = em;
        this.audit = audit;
    }

    /** {"name", "key", "weight", "enabled", "groups": [group names]}; returns the new account's id. */
    @Transactional
    public long create(JsonNode request) {
        JsonNode body = JsonFields.object(request);
        checkFields(body, CREATE_FIELDS);
        String name = name(JsonFields.text(body, "name"));
        String key = JsonFields.text(body, "key");
        if (key == null || !KEY.matcher(key).matches()) {
            throw ApiException.invalidParameter("key must be the fal key (\"key_id:key_secret\"), 8 to 512 printable characters");
        }
        int weight = JsonFields.present(body, "weight") ? weight(body) : 1;
        boolean enabled = !JsonFields.present(body, "enabled") || bool(body, "enabled");
        List<Long> groups = JsonFields.present(body, "groups") ? groupIds(body.get("groups")) : List.of();
        long id = accounts.create(name, key, weight, enabled, groups);
        audit.record("upstream.create", null, null, "upstream:" + id, null,
                Map.of("name", name, "key_prefix", UpstreamAccounts.prefixOf(key), "weight", weight, "enabled", enabled,
                        "groups", groupNames(groups)));
        return id;
    }

    /** {"name", "weight", "enabled", "groups"}: fields left out keep their value; enabling clears the reason. */
    @Transactional
    public void update(long id, JsonNode request) {
        JsonNode body = JsonFields.object(request);
        checkFields(body, PATCH_FIELDS);
        accounts.lock(id);
        Map<String, Object> before = state(id);
        String name = JsonFields.present(body, "name") ? name(JsonFields.text(body, "name")) : null;
        Integer weight = JsonFields.present(body, "weight") ? weight(body) : null;
        Boolean enabled = JsonFields.present(body, "enabled") ? bool(body, "enabled") : null;
        accounts.update(id, name, weight, enabled);
        if (JsonFields.present(body, "groups")) {
            accounts.setGroups(id, groupIds(body.get("groups")));
        }
        Map<String, Object> after = state(id);
        if (!after.equals(before)) {
            audit.record("upstream.update", null, null, "upstream:" + id, before, after);
        }
    }

    /** Removes the account; 409 while one of its jobs is open (its polls and settlement still need its key). */
    @Transactional
    public void delete(long id) {
        accounts.lock(id);
        long open = accounts.openJobs(id);
        if (open > 0) {
            throw ApiException.conflict("upstream_in_use", open + " open job(s) were submitted with this account; "
                    + "disable it instead, and delete it once they are settled.");
        }
        Map<String, Object> before = state(id);
        accounts.delete(id);
        audit.record("upstream.delete", null, null, "upstream:" + id, before, null);
    }

    /** Every account with its figures of today (accounts as PostgreSQL has them now). */
    @Transactional
    public List<UpstreamView> list() {
        Map<Long, long[]> counts = new HashMap<>();
        Map<Long, BigDecimal> spend = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                SELECT j.upstream_id,
                       count(*) FILTER (WHERE j.settled_at IS NULL),
                       count(*) FILTER (WHERE j.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
                       COALESCE(sum(CASE WHEN s.charged > 0
                                    AND j.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
                                THEN COALESCE(e.cost_usd, j.usd_unit_price * COALESCE(j.delivered_units, j.quantity)) END), 0)
                FROM jobs j
                LEFT JOIN settlements s ON s.job_id = j.id
                LEFT JOIN fal_billing_events e ON e.job_id = j.id
                WHERE j.upstream_id IS NOT NULL
                  AND (j.settled_at IS NULL OR j.created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
                GROUP BY j.upstream_id""").getResultList();
        for (Object[] r : rows) {
            long id = ((Number) r[0]).longValue();
            counts.put(id, new long[] {((Number) r[1]).longValue(), ((Number) r[2]).longValue()});
            spend.put(id, (BigDecimal) r[3]);
        }
        Map<Long, String> groupNames = groupNamesById();
        Instant now = Instant.now();
        List<UpstreamView> out = new ArrayList<>();
        for (Account a : accounts.all()) {
            long[] c = counts.getOrDefault(a.id(), new long[2]);
            out.add(new UpstreamView(a.id(), a.name(), a.keyPrefix(), a.weight(), a.enabled(), a.health(now),
                    a.disabledReason(), a.disabledBy(), a.cooledUntil(), a.lastError(), a.lastErrorAt(), a.balanceUsd(),
                    a.lastCheckedAt(), a.groups().stream().map(g -> groupNames.getOrDefault(g, Long.toString(g))).sorted().toList(),
                    c[0], c[1], spend.getOrDefault(a.id(), BigDecimal.ZERO).stripTrailingZeros(), a.falKey(), a.createdAt()));
        }
        return out;
    }

    private Map<String, Object> state(long id) {
        Object[] r = (Object[]) em.createNativeQuery(
                        "SELECT name, weight, enabled, disabled_reason FROM upstream_accounts WHERE id = ?1")
                .setParameter(1, id).getSingleResult();
        @SuppressWarnings("unchecked")
        List<String> groups = em.createNativeQuery("""
                        SELECT g.name FROM upstream_account_groups u JOIN price_groups g ON g.id = u.group_id
                        WHERE u.upstream_id = ?1 ORDER BY g.name""").setParameter(1, id).getResultList();
        Map<String, Object> state = new HashMap<>();
        state.put("name", r[0]);
        state.put("weight", ((Number) r[1]).intValue());
        state.put("enabled", r[2]);
        state.put("disabled_reason", r[3]);
        state.put("groups", List.copyOf(groups));
        return state;
    }

    private Map<Long, String> groupNamesById() {
        Map<Long, String> out = new HashMap<>();
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT id, name FROM price_groups").getResultList();
        for (Object[] r : rows) {
            out.put(((Number) r[0]).longValue(), (String) r[1]);
        }
        return out;
    }

    private List<String> groupNames(List<Long> ids) {
        Map<Long, String> names = groupNamesById();
        return ids.stream().map(names::get).sorted().toList();
    }

    /** Group names to ids; 422 for a name that is not a group. */
    private List<Long> groupIds(JsonNode list) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            throw ApiException.invalidParameter("groups must be a list of price group names");
        }
        List<Long> ids = new ArrayList<>();
        for (JsonNode g : list) {
            if (!g.isTextual()) {
                throw ApiException.invalidParameter("groups must be a list of price group names");
            }
            List<?> found = em.createNativeQuery("SELECT id FROM price_groups WHERE name = ?1")
                    .setParameter(1, g.textValue()).getResultList();
            if (found.isEmpty()) {
                throw ApiException.invalidParameter("No price group named '" + g.textValue() + "'.");
            }
            ids.add(((Number) found.get(0)).longValue());
        }
        return ids;
    }

    private static void checkFields(JsonNode body, Set<String> allowed) {
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiException.invalidParameter("unknown field '" + f + "' (" + String.join(", ",
                        allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String name(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_NAME || !name.equals(name.strip())) {
            throw ApiException.invalidParameter("name must be 1 to " + MAX_NAME + " characters, without surrounding spaces");
        }
        return name;
    }

    private static int weight(JsonNode body) {
        Long w = JsonFields.integer(body, "weight");
        if (w == null || w < 0 || w > 1000) {
            throw ApiException.invalidParameter("weight must be an integer from 0 to 1000");
        }
        return w.intValue();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isBoolean()) {
            throw ApiException.invalidParameter(field + " must be true or false");
        }
        return v.booleanValue();
    }
}
