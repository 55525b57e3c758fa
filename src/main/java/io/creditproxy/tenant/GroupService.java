package io.creditproxy.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.audit.AuditLog;
import io.creditproxy.cache.Invalidation;
import io.creditproxy.cache.InvalidationBus;
import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Price groups: admins create and change them ({@code PUT /admin/groups/{name}}); a tenant may put keys in its default
 * group and in the groups an admin allowed it ({@code tenant_groups}). A change of a group's multiplier or state
 * reaches every key in it on every instance at once ({@link Invalidation#group}); running jobs keep their price.
 */
@ApplicationScoped
@Transactional
public class GroupService {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Set<String> FIELDS = Set.of("price_multiplier", "description", "enabled");
    private static final int MAX_DESCRIPTION = 500;

    private final EntityManager em;
    private final AuditLog audit;
    private final InvalidationBus bus;

    public GroupService(EntityManager em, AuditLog audit, InvalidationBus bus) {
        this.em = em;
        this.audit = audit;
        this.bus = bus;
    }

    /** Every group, by name. */
    @Transactional
    public List<GroupView> list() {
        return em.createQuery("FROM PriceGroup ORDER BY name", PriceGroup.class).getResultList().stream()
                .map(GroupView::of).toList();
    }

    /**
     * Creates the group or changes it (fields left out keep their value; a new group has multiplier 1, enabled).
     *
     * @return the group and whether it was created
     * @throws ApiException 422 bad name or field
     */
    public Upserted put(String name, JsonNode request) {
        String n = requireName(name);
        JsonNode body = JsonFields.object(request);
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.invalidParameter("unknown field '" + f + "' (price_multiplier, description, enabled)");
            }
        }
        // one writer per name at a time: the insert of a new name conflicts, an existing row is locked
        boolean created = !em.createNativeQuery(
                        "INSERT INTO price_groups (name) VALUES (?1) ON CONFLICT (name) DO NOTHING RETURNING id")
                .setParameter(1, n).getResultList().isEmpty();
        PriceGroup g = em.createQuery("FROM PriceGroup WHERE name = ?1", PriceGroup.class).setParameter(1, n)
                .setLockMode(jakarta.persistence.LockModeType.PESSIMISTIC_WRITE).getSingleResult();
        em.refresh(g);
        GroupView before = created ? null : GroupView.of(g);
        if (JsonFields.present(body, "price_multiplier")) {
            BigDecimal m = JsonFields.decimal(body, "price_multiplier");
            if (m == null) {
                throw ApiException.invalidParameter("price_multiplier must be a decimal number such as 0.9 or 1.2");
            }
            g.priceMultiplier = TenantService.requireMultiplier(m);
        }
        if (JsonFields.present(body, "description")) {
            String d = JsonFields.text(body, "description");
            if (d != null && d.length() > MAX_DESCRIPTION) {
                throw ApiException.invalidParameter("description must be at most " + MAX_DESCRIPTION + " characters");
            }
            g.description = d;
        }
        if (JsonFields.present(body, "enabled")) {
            JsonNode e = body.get("enabled");
            if (!e.isBoolean()) {
                throw ApiException.invalidParameter("enabled must be true or false");
            }
            if (!e.booleanValue() && g.id == PriceGroup.DEFAULT_ID) {
                throw ApiException.conflict("default_group", "The group 'default' cannot be disabled.");
            }
            g.enabled = e.booleanValue();
        }
        GroupView after = GroupView.of(g);
        if (created || !after.equals(before)) {
            g.updatedAt = OffsetDateTime.now();
            em.flush();
            audit.record(created ? "group.create" : "group.update", null, null, "group:" + n, before, after);
            bus.publish(Invalidation.group(n));
        }
        return new Upserted(after, created);
    }

    /** The answer of {@link #put}. */
    public record Upserted(GroupView group, boolean created) {
    }

    /** A group this tenant may use (its default group, or one allowed to it), by name. */
    @Transactional
    public PriceGroup usable(long tenantId, String name) {
        PriceGroup g = byName(name);
        if (g == null || !allowedIds(tenantId).contains(g.id)) {
            throw new ApiException(403, "group_not_allowed", "Your account may not use the group '" + shorten(name)
                    + "'; GET /v1/groups lists the groups you may use.", Map.of("group", shorten(name)));
        }
        if (!g.enabled) {
            throw new ApiException(403, "group_disabled", "The group '" + g.name + "' is disabled.", Map.of("group", g.name));
        }
        return g;
    }

    /** The groups a tenant may use: its default group first, then the allowed ones by name. */
    @Transactional
    public List<GroupView> forTenant(long tenantId) {
        Tenant t = em.find(Tenant.class, tenantId);
        if (t == null) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + tenantId + ".");
        }
        List<GroupView> out = new ArrayList<>();
        out.add(GroupView.of(em.find(PriceGroup.class, t.defaultGroupId)));
        for (PriceGroup g : allowed(tenantId)) {
            if (g.id != t.defaultGroupId) {
                out.add(GroupView.of(g));
            }
        }
        return out;
    }

    /** The tenant's default group. @throws ApiException 404 unknown_tenant */
    @Transactional
    public GroupView defaultOf(long tenantId) {
        Tenant t = em.find(Tenant.class, tenantId);
        if (t == null) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + tenantId + ".");
        }
        return GroupView.of(em.find(PriceGroup.class, t.defaultGroupId));
    }

    /** A group by name (a key's: it may since have been disallowed to the tenant). @throws ApiException 422 */
    @Transactional
    public GroupView named(String name) {
        return GroupView.of(require(name));
    }

    /** A key's group. */
    @Transactional
    public GroupView byId(long groupId) {
        return GroupView.of(em.find(PriceGroup.class, groupId));
    }

    /** A group the tenant may use, as a view. @throws ApiException 403 group_not_allowed / group_disabled */
    @Transactional
    public GroupView usableView(long tenantId, String name) {
        return GroupView.of(usable(tenantId, name));
    }

    /** The groups an admin allowed the tenant besides its default group, by name. */
    List<PriceGroup> allowed(long tenantId) {
        return em.createQuery("""
                        SELECT g FROM PriceGroup g WHERE g.id IN
                          (SELECT tg.groupId FROM TenantGroup tg WHERE tg.tenantId = ?1) ORDER BY g.name""", PriceGroup.class)
                .setParameter(1, tenantId).getResultList();
    }

    private Set<Long> allowedIds(long tenantId) {
        Set<Long> ids = new LinkedHashSet<>();
        Tenant t = em.find(Tenant.class, tenantId);
        if (t != null) {
            ids.add(t.defaultGroupId);
        }
        allowed(tenantId).forEach(g -> ids.add(g.id));
        return ids;
    }

    /** @throws ApiException 422 unknown_group */
    PriceGroup require(String name) {
        PriceGroup g = byName(name);
        if (g == null) {
            throw new ApiException(422, "unknown_group", "No group named '" + shorten(name) + "'; GET /admin/groups lists them.");
        }
        return g;
    }

    /** Replaces the tenant's allowed groups (besides its default group). */
    void setAllowed(long tenantId, List<PriceGroup> groups) {
        em.createNativeQuery("DELETE FROM tenant_groups WHERE tenant_id = ?1").setParameter(1, tenantId).executeUpdate();
        for (PriceGroup g : groups) {
            em.createNativeQuery("INSERT INTO tenant_groups (tenant_id, group_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
                    .setParameter(1, tenantId).setParameter(2, g.id).executeUpdate();
        }
    }

    String nameOf(long groupId) {
        PriceGroup g = em.find(PriceGroup.class, groupId);
        return g == null ? null : g.name;
    }

    private PriceGroup byName(String name) {
        if (name == null) {
            return null;
        }
        return em.createQuery("FROM PriceGroup WHERE name = ?1", PriceGroup.class).setParameter(1, name)
                .getResultStream().findFirst().orElse(null);
    }

    static String requireName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiException.invalidParameter("a group name is 1-64 characters: lower-case letters, digits, '-' and '_', "
                    + "starting with a letter or digit");
        }
        return name;
    }

    private static String shorten(String s) {
        return s == null ? "" : s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
