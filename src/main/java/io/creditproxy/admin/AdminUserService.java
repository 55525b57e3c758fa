package io.creditproxy.admin;

import io.creditproxy.audit.AuditLog;
import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Admin users: creation (with a bcrypt hash), listing, disabling, password changes, and the first admin at start-up.
 * Disabling an admin or changing its password bumps its token version, which refuses every token issued before.
 */
@ApplicationScoped
@Transactional
public class AdminUserService {

    /** what a login needs to know about an admin */
    public record Credentials(long id, String username, String role, String passwordHash, long tokenVersion,
                              boolean disabled) {

        static Credentials of(Admin a) {
            return new Credentials(a.id, a.username, a.role, a.passwordHash, a.tokenVersion, a.disabledAt != null);
        }
    }

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,100}");
    /** any constant: serialises the bootstrap of concurrently starting instances */
    private static final long BOOTSTRAP_LOCK = 0x63705f61646d696eL;
    /** any other constant: serialises disables */
    private static final long DISABLE_LOCK = 0x63705f6469736162L;

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

    public Optional<Credentials> credentials(String username) {
        return admins.findByUsername(username).map(Credentials::of);
    }

    public Optional<Credentials> credentials(long id) {
        return admins.findByIdOptional(id).map(Credentials::of);
    }

    /**
     * The admin may no longer log in, and every token it holds is refused from now on.
     *
     * @param actorId the admin doing it, who may not disable itself
     * @throws ApiException 404 unknown admin, 409 cannot_disable_self, or last_admin when no other enabled admin
     *                      (role admin) would be left
     */
    public AdminView disable(long id, long actorId) {
        if (id == actorId) {
            throw ApiException.conflict("cannot_disable_self", "An admin cannot disable itself; ask another admin.");
        }
        // disables are serialised, so that two admins disabling each other at once cannot leave none
        em.createNativeQuery("SELECT pg_advisory_xact_lock(?1)").setParameter(1, DISABLE_LOCK).getSingleResult();
        Admin a = lock(id);
        AdminView before = AdminView.of(a);
        if (a.disabledAt == null && Roles.ADMIN.equals(a.role)) {
            Number others = (Number) em.createNativeQuery(
                            "SELECT count(*) FROM admins WHERE role = 'admin' AND disabled_at IS NULL AND id <> ?1")
                    .setParameter(1, id).getSingleResult();
            if (others.longValue() == 0) {
                throw ApiException.conflict("last_admin", "This is the last enabled admin; enable or create another first.");
            }
        }
        if (a.disabledAt == null) {
            a.disabledAt = OffsetDateTime.now();
            a.tokenVersion++;
            em.flush();
            audit.record("user.disable", null, null, "user:" + id, before, AdminView.of(a));
        }
        return AdminView.of(a);
    }

    /** The admin may log in again (tokens from before it was disabled stay refused). @throws ApiException 404 */
    public AdminView enable(long id) {
        Admin a = lock(id);
        AdminView before = AdminView.of(a);
        if (a.disabledAt != null) {
            a.disabledAt = null;
            em.flush();
            audit.record("user.enable", null, null, "user:" + id, before, AdminView.of(a));
        }
        return AdminView.of(a);
    }

    /** Stores a new hash and refuses every token issued before. The audit line has neither password nor hash. */
    void changePassword(long id, String passwordHash) {
        Admin a = lock(id);
        a.passwordHash = passwordHash;
        a.tokenVersion++;
        em.flush();
        audit.record("user.password_change", null, null, "user:" + id, null, AdminView.of(a));
    }

    private Admin lock(long id) {
        Admin a = em.find(Admin.class, id, LockModeType.PESSIMISTIC_WRITE);
        if (a == null) {
            throw ApiException.notFound("unknown_admin", "No admin with id " + id + ".");
        }
        return a;
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
