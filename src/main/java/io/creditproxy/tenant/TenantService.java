package io.creditproxy.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.audit.AuditLog;
import io.creditproxy.cache.Invalidation;
import io.creditproxy.cache.InvalidationBus;
import io.creditproxy.common.ApiException;
import jakarta.persistence.LockModeType;
import java.math.BigDecimal;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;

/** Tenants: creation and reads. Balances are moved only by the ledger. */
@ApplicationScoped
@Transactional
public class TenantService {

    public static final int MAX_NAME = 200;
    public static final long MAX_CREDIT_LIMIT = 1_000_000_000_000L;
    public static final int DEFAULT_PAGE = 50;
    public static final int MAX_PAGE = 200;

    public static final BigDecimal MAX_MULTIPLIER = new BigDecimal("1000");
    public static final int MAX_CONCURRENT_JOBS = 1_000_000;

    public static final int MAX_KEYS = 1_000_000;

    private final TenantRepository tenants;
    private final EntityManager em;
    private final AuditLog audit;
    private final InvalidationBus bus;
    private final GroupService groups;

    public TenantService(TenantRepository tenants, EntityManager em, AuditLog audit, InvalidationBus bus,
                         GroupService groups) {
        this.tenants = tenants;
        this.em = em;
        this.audit = audit;
        this.bus = bus;
        this.groups = groups;
    }

    /**
     * @param creditLimit how far below zero the balance may go; null = 0
     * @throws ApiException 422 for a blank or too long name or a bad credit limit
     */
    public TenantView create(String name, Long creditLimit) {
        return create(name, creditLimit, null, null);
    }

    /**
     * POST /admin/tenants: {@code name} (required), {@code credit_limit}, {@code price_multiplier},
     * {@code max_concurrent_jobs}, each read exactly like {@link #update} reads it (1.9 or "77" is no credit limit).
     *
     * @throws ApiException 422 for an unknown field or a bad value
     */
    public TenantView create(JsonNode request) {
        JsonNode body = JsonFields.object(request);
        requireKnownFields(body);
        BigDecimal multiplier = JsonFields.decimal(body, "price_multiplier");
        return create(JsonFields.text(body, "name"), JsonFields.integer(body, "credit_limit"),
                multiplier, JsonFields.integer(body, "max_concurrent_jobs"));
    }

    /**
     * @param priceMultiplier null = 1 (list price)
     * @param maxConcurrentJobs null = no limit
     */
    public TenantView create(String name, Long creditLimit, BigDecimal priceMultiplier, Long maxConcurrentJobs) {
        String n = requireName(name, "name");
        Tenant t = new Tenant();
        t.name = n;
        t.creditLimit = requireCreditLimit(creditLimit == null ? 0 : creditLimit);
        t.priceMultiplier = priceMultiplier == null ? BigDecimal.ONE : requireMultiplier(priceMultiplier);
        t.maxConcurrentJobs = requireMaxConcurrent(maxConcurrentJobs);
        tenants.persist(t);
        em.flush();
        em.refresh(t); // balance and created_at come from column defaults
        TenantView view = view(t);
        audit.record("tenant.create", t.id, null, "tenant:" + t.id, null, view);
        return view;
    }

    /**
     * Changes name, credit_limit, price_multiplier, max_concurrent_jobs, max_keys, default_group and allowed_groups
     * (absent = unchanged; null clears max_concurrent_jobs and max_keys, and allowed_groups to none besides the
     * default). A new multiplier applies to the next submit on every instance; running jobs keep theirs. Keys already
     * in a group no longer allowed stay in it (an admin moves them); new keys cannot be put there.
     *
     * @throws ApiException 404 unknown tenant, 422 bad value or unknown group, 409 credit_limit_below_balance when the
     *                      balance is already below minus the new limit
     */
    public TenantView update(long id, JsonNode patch) {
        JsonNode body = JsonFields.object(patch);
        requireKnownFields(body);
        Tenant t = em.find(Tenant.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (t == null) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + id + ".");
        }
        TenantView before = view(t);
        if (JsonFields.present(body, "name")) {
            t.name = requireName(JsonFields.text(body, "name"), "name");
        }
        if (JsonFields.present(body, "credit_limit")) {
            Long limit = JsonFields.integer(body, "credit_limit");
            long l = requireCreditLimit(limit == null ? 0 : limit);
            if (t.balance < -l) {
                throw ApiException.conflict("credit_limit_below_balance", "The balance " + t.balance
                        + " is already below -" + l + "; top up first or choose a larger credit_limit.");
            }
            t.creditLimit = l;
        }
        if (JsonFields.present(body, "price_multiplier")) {
            BigDecimal m = JsonFields.decimal(body, "price_multiplier");
            t.priceMultiplier = m == null ? BigDecimal.ONE : requireMultiplier(m);
        }
        if (JsonFields.present(body, "max_concurrent_jobs")) {
            t.maxConcurrentJobs = requireMaxConcurrent(JsonFields.integer(body, "max_concurrent_jobs"));
        }
        if (JsonFields.present(body, "max_keys")) {
            Long max = JsonFields.integer(body, "max_keys");
            if (max != null && (max < 1 || max > MAX_KEYS)) {
                throw ApiException.invalidParameter("max_keys must be between 1 and " + MAX_KEYS + ", or null for no limit");
            }
            t.maxKeys = max == null ? null : max.intValue();
        }
        if (JsonFields.present(body, "default_group")) {
            String g = JsonFields.text(body, "default_group");
            t.defaultGroupId = g == null ? PriceGroup.DEFAULT_ID : groups.require(g).id;
        }
        if (JsonFields.present(body, "allowed_groups")) {
            List<String> names = JsonFields.strings(body, "allowed_groups");
            groups.setAllowed(id, names == null ? List.of() : names.stream().distinct().map(groups::require).toList());
        }
        em.flush();
        TenantView after = view(t);
        if (!after.equals(before)) {
            audit.record("tenant.update", id, null, "tenant:" + id, before, after);
            bus.publish(Invalidation.tenant(id));
        }
        return after;
    }

    private static final java.util.Set<String> FIELDS = java.util.Set.of("name", "credit_limit", "price_multiplier",
            "max_concurrent_jobs", "max_keys", "default_group", "allowed_groups");

    private static void requireKnownFields(JsonNode body) {
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw ApiException.invalidParameter("unknown field '" + f + "' (name, credit_limit, price_multiplier, max_concurrent_jobs, max_keys, default_group, allowed_groups)");
            }
        }
    }

    static long requireCreditLimit(long limit) {
        if (limit < 0 || limit > MAX_CREDIT_LIMIT) {
            throw ApiException.invalidParameter("credit_limit must be between 0 and " + MAX_CREDIT_LIMIT);
        }
        return limit;
    }

    /** exact, > 0, at most 1000, at most 4 decimals (numeric(10,4)) */
    static BigDecimal requireMultiplier(BigDecimal m) {
        BigDecimal s = m.stripTrailingZeros();
        if (s.signum() <= 0 || s.compareTo(MAX_MULTIPLIER) > 0 || s.scale() > 4) {
            throw ApiException.invalidParameter("price_multiplier must be greater than 0 and at most " + MAX_MULTIPLIER
                    + ", with at most 4 decimals (e.g. 0.9 or 1.2)");
        }
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    static Integer requireMaxConcurrent(Long max) {
        if (max == null) {
            return null;
        }
        if (max < 1 || max > MAX_CONCURRENT_JOBS) {
            throw ApiException.invalidParameter("max_concurrent_jobs must be between 1 and " + MAX_CONCURRENT_JOBS + ", or null for no limit");
        }
        return max.intValue();
    }

    /** @throws ApiException 404 unknown_tenant */
    @Transactional
    public TenantView get(long id) {
        return view(require(id));
    }

    /**
     * Tenants by ascending id, after {@code afterId}; {@code q} matches a part of the name, ignoring case.
     */
    @Transactional
    public List<TenantView> list(String q, Integer limit, Long afterId) {
        int size = pageSize(limit);
        StringBuilder query = new StringBuilder("id > :after");
        Parameters params = Parameters.with("after", afterId == null ? 0L : afterId);
        if (q != null && !q.isBlank()) {
            query.append(" and lower(name) like :q escape '!'");
            params.and("q", "%" + escapeLike(q.trim().toLowerCase()) + "%");
        }
        return tenants.find(query.toString(), Sort.by("id"), params).range(0, size - 1).list()
                .stream().map(this::view).toList();
    }

    /** What the tenant sees of itself at {@code GET /v1/account}. */
    @Transactional
    public AccountView account(long tenantId) {
        Tenant t = require(tenantId);
        return new AccountView(t.id, t.name, t.balance, held(t.id), t.balance + t.creditLimit, t.creditLimit,
                groups.nameOf(t.defaultGroupId));
    }

    /**
     * Credits reserved by the tenant's jobs not settled yet: the whole price of each (a job is either open, holding
     * all of it, or settled). Read through the partial index of open jobs, which holds only jobs in flight.
     */
    @Transactional
    public long held(long tenantId) {
        Number n = (Number) em.createNativeQuery(
                        "SELECT COALESCE(sum(price_credits), 0) FROM jobs WHERE settled_at IS NULL AND tenant_id = ?1")
                .setParameter(1, tenantId).getSingleResult();
        return n.longValue();
    }

    private TenantView view(Tenant t) {
        List<String> allowed = groups.allowed(t.id).stream().map(g -> g.name).toList();
        return TenantView.of(t, held(t.id), groups.nameOf(t.defaultGroupId), allowed);
    }

    /** @throws ApiException 404 unknown_tenant */
    @Transactional
    public void requireExists(long id) {
        require(id);
    }

    private Tenant require(long id) {
        Tenant t = tenants.findById(id);
        if (t == null) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + id + ".");
        }
        return t;
    }

    public static int pageSize(Integer limit) {
        if (limit == null) {
            return DEFAULT_PAGE;
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiException.invalidParameter("limit must be between 1 and " + MAX_PAGE);
        }
        return limit;
    }

    static String requireName(String name, String field) {
        String n = name == null ? "" : name.trim();
        if (n.isEmpty() || n.length() > MAX_NAME) {
            throw ApiException.invalidParameter(field + " must be 1-" + MAX_NAME + " characters");
        }
        return n;
    }

    private static String escapeLike(String s) {
        return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }
}
