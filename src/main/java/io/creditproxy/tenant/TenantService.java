package io.creditproxy.tenant;

import io.creditproxy.common.ApiException;
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

    private final TenantRepository tenants;
    private final EntityManager em;

    public TenantService(TenantRepository tenants, EntityManager em) {
        this.tenants = tenants;
        this.em = em;
    }

    /**
     * @param creditLimit how far below zero the balance may go; null = 0
     * @throws ApiException 422 for a blank or too long name or a bad credit limit
     */
    public TenantView create(String name, Long creditLimit) {
        String n = requireName(name, "name");
        long limit = creditLimit == null ? 0 : creditLimit;
        if (limit < 0 || limit > MAX_CREDIT_LIMIT) {
            throw ApiException.invalidParameter("credit_limit must be between 0 and " + MAX_CREDIT_LIMIT);
        }
        Tenant t = new Tenant();
        t.name = n;
        t.creditLimit = limit;
        tenants.persist(t);
        em.flush();
        em.refresh(t); // balance and created_at come from column defaults
        return TenantView.of(t);
    }

    /** @throws ApiException 404 unknown_tenant */
    @Transactional
    public TenantView get(long id) {
        return TenantView.of(require(id));
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
                .stream().map(TenantView::of).toList();
    }

    /** What the tenant sees of itself at {@code GET /v1/account}. */
    @Transactional
    public AccountView account(long tenantId) {
        Tenant t = require(tenantId);
        return new AccountView(t.id, t.name, t.balance);
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
