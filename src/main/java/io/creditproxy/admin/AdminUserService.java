package io.creditproxy.admin;

import io.creditproxy.audit.AuditLog;
import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.regex.Pattern;

/** Admin users: creation (with a bcrypt hash), listing, and the first admin at start-up. */
@ApplicationScoped
@Transactional
public class AdminUserService {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,100}");
    /** any constant: serialises the bootstrap of concurrently starting instances */
    private static final long BOOTSTRAP_LOCK = 0x63705f61646d696eL;

    private final AdminRepository admins;
    private final EntityManager em;
    private final AuditLog audit;

    public AdminUserService(AdminRepository admins, EntityManager em, AuditLog audit) {
        this.admins = admins;
        this.em = em;
        this.audit = audit;
    }

    /**
     * @throws ApiException 422 for a bad username, password or role; 409 when the username is taken
     */
    public AdminView create(String username, String password, String role) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw ApiException.invalidParameter("username must be 1-100 characters of letters, digits, '.', '_', '@' or '-'");
        }
        if (role == null || !Roles.ALL.contains(role)) {
            throw ApiException.invalidParameter("role must be 'admin' or 'finance'");
        }
        Passwords.requireAcceptable(password);
        Long id = insert(username, Passwords.hash(password), role);
        if (id == null) {
            throw ApiException.conflict("username_taken", "An admin named '" + username + "' already exists.");
        }
        AdminView view = AdminView.of(admins.findById(id));
        audit.record("user.create", null, null, "user:" + id, null, view);
        return view;
    }

    @Transactional
    public List<AdminView> list() {
        return admins.listAll(io.quarkus.panache.common.Sort.by("id")).stream().map(AdminView::of).toList();
    }

    /**
     * Creates the first admin when none exists. Instances starting together take a transaction-scoped
     * advisory lock, so exactly one of them sees the empty table and inserts.
     *
     * @return true when an admin was created
     */
    public boolean bootstrapIfEmpty(String username, String password) {
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, BOOTSTRAP_LOCK).getSingleResult();
        if (admins.count() > 0) {
            return false;
        }
        return insert(username, Passwords.hash(password), Roles.ADMIN) != null;
    }

    @Transactional
    public boolean anyExists() {
        return admins.count() > 0;
    }

    /** The unique constraint decides a race on the name: null when it was taken. */
    private Long insert(String username, String passwordHash, String role) {
        @SuppressWarnings("unchecked")
        List<Number> ids = em.createNativeQuery(
                        "INSERT INTO admins(username, password_hash, role) VALUES (?1, ?2, ?3) "
                                + "ON CONFLICT (username) DO NOTHING RETURNING id")
                .setParameter(1, username)
                .setParameter(2, passwordHash)
                .setParameter(3, role)
                .getResultList();
        return ids.isEmpty() ? null : ids.get(0).longValue();
    }
}
