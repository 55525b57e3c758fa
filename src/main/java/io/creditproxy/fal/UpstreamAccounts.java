package io.creditproxy.fal;

import io.creditproxy.audit.AuditLog;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Blocking;
import io.creditproxy.common.Hashing;
import io.creditproxy.common.SecretSeal;
import io.creditproxy.common.Timestamps;
import io.creditproxy.config.AdminJwtConfig;
import io.creditproxy.config.FalConfig;
import io.creditproxy.observability.Metrics;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;

/**
 * The fal accounts of the upstream pool ({@code upstream_accounts}), as every instance shares them through
 * PostgreSQL: each instance keeps a snapshot in memory (re-read every {@code upstreams.refresh-interval}, and at once
 * after a change made here), so that choosing an account and finding a job's key never touch the database on the
 * event loop. The keys are decrypted once per process and kept apart from the accounts' views: nothing here puts a key
 * in a log line, an exception or an answer. {@code FAL_KEY}, when set, is the first account (added at start), and a
 * job without an account (before the pool, or with no account at all) uses it.
 */
@ApplicationScoped
public class UpstreamAccounts {

    private static final Logger LOG = Logger.getLogger(UpstreamAccounts.class);
    static final String ENCRYPTION_NONE = "none";
    /** The FAL_KEY account: its key is read from configuration, never stored. */
    static final String FROM_CONFIG = "from-config";
    /** The name of the account added for FAL_KEY at start. */
    public static final String FAL_KEY_ACCOUNT = "FAL_KEY";
    public static final String BY_PROXY = "proxy";
    public static final String BY_ADMIN = "admin";

    /** One account as the pool sees it (never with its key). */
    public record Account(long id, String name, String keyPrefix, int weight, boolean enabled, String disabledReason,
                          String disabledBy, Instant cooledUntil, Set<Long> groups, String lastError,
                          Instant lastErrorAt, Instant lastCheckedAt, BigDecimal balanceUsd, Instant createdAt,
                          boolean falKey) {

        /** Chosen for new submits now: enabled, weighted, not cooling down. */
        public boolean usable(Instant now) {
            return enabled && weight > 0 && (cooledUntil == null || !now.isBefore(cooledUntil));
        }

        /** "healthy", "cooling_down", "disabled" or "no_weight". */
        public String health(Instant now) {
            if (!enabled) {
                return "disabled";
            }
            if (cooledUntil != null && now.isBefore(cooledUntil)) {
                return "cooling_down";
            }
            return weight > 0 ? "healthy" : "no_weight";
        }

        Account disabled(String reason, String by, String error) {
            return new Account(id, name, keyPrefix, weight, false, reason, by, cooledUntil, groups, error, Instant.now(),
                    lastCheckedAt, balanceUsd, createdAt, falKey);
        }

        Account cooled(Instant until, String error) {
            return new Account(id, name, keyPrefix, weight, enabled, disabledReason, disabledBy, until, groups, error,
                    Instant.now(), lastCheckedAt, balanceUsd, createdAt, falKey);
        }
    }

    /** What the pool knows at one moment: the accounts, their keys, and which groups are limited to which accounts. */
    private record Snapshot(Map<Long, Account> accounts, Map<Long, String> authorizations,
                            Map<Long, Set<Long>> groupAccounts) {
        static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), Map.of());
    }

    /** A decrypted key, kept while its row's stored value does not change. */
    private record OpenedKey(String stored, String key) {
    }

    private final EntityManager em;
    private final FalConfig falConfig;
    private final FalPlatformConfig platformConfig;
    private final FalUpstream upstream;
    private final AdminJwtConfig sealConfig;
    private final UpstreamsConfig config;
    private final AuditLog audit;
    private final Metrics metrics;
    private final Vertx vertx;
    private final Map<Long, OpenedKey> opened = new ConcurrentHashMap<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;
    private volatile String primaryAuthorization;

    public UpstreamAccounts(EntityManager em, FalConfig falConfig, FalPlatformConfig platformConfig, FalUpstream upstream,
                            AdminJwtConfig sealConfig, UpstreamsConfig config, AuditLog audit, Metrics metrics, Vertx vertx) {
        this.em = em;
        this.falConfig = falConfig;
        this.platformConfig = platformConfig;
        this.upstream = upstream;
        this.sealConfig = sealConfig;
        this.config = config;
        this.audit = audit;
        this.metrics = metrics;
        this.vertx = vertx;
    }

    void start(@Observes @jakarta.annotation.Priority(150) StartupEvent event) {
        Optional<String> falKey = falKey();
        if (falKey.isPresent()) {
            QuarkusTransaction.requiringNew().run(() -> seed(falKey.get()));
        }
        refresh();
    }

    @Scheduled(identity = "upstream-accounts-refresh", every = "${upstreams.refresh-interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warnf("upstream accounts not re-read: %s", e.getClass().getSimpleName());
        }
    }

    // ---- reads (memory only) ---------------------------------------------------------------------------------

    /** Every account, by id. */
    public List<Account> all() {
        return List.copyOf(snapshot.accounts().values());
    }

    public Optional<Account> find(long id) {
        return Optional.ofNullable(snapshot.accounts().get(id));
    }

    /** True when no account is configured at all: submits then go with the primary key (FAL_KEY or the sandbox's). */
    public boolean none() {
        return snapshot.accounts().isEmpty();
    }

    /**
     * The {@code Authorization} header for a job's account, from memory; the primary key for {@code null} (a job
     * without an account); null when the account is not known here (then {@link #authorization(Long)} reads it).
     */
    public String authorizationNow(Long upstreamId) {
        if (upstreamId == null) {
            return primary();
        }
        return snapshot.authorizations().get(upstreamId);
    }

    /**
     * The header for a job's account; read from PostgreSQL (on a worker thread) when it is not known here yet (created
     * on another instance since the last refresh). An account removed since falls back to the primary key (fal then
     * answers that it does not know the request).
     */
    public Future<String> authorization(Long upstreamId) {
        String known = authorizationNow(upstreamId);
        if (known != null) {
            return Future.succeededFuture(known);
        }
        return Blocking.run(vertx, () -> {
            refresh();
            String loaded = authorizationNow(upstreamId);
            return loaded != null ? loaded : primary();
        });
    }

    /**
     * An account for a new submit of this price group, by weight among the usable ones not tried yet; empty when none
     * is left. A group limited to some accounts uses only those; any other group uses the accounts limited to none.
     */
    public Optional<Account> choose(Long groupId, Set<Long> tried) {
        Snapshot s = snapshot;
        Instant now = Instant.now();
        Set<Long> limited = groupId == null ? null : s.groupAccounts().get(groupId);
        List<Account> candidates = new ArrayList<>();
        long total = 0;
        for (Account a : s.accounts().values()) {
            boolean serves = limited != null ? limited.contains(a.id()) : a.groups().isEmpty();
            if (serves && !tried.contains(a.id()) && a.usable(now) && s.authorizations().containsKey(a.id())) {
                candidates.add(a);
                total += a.weight();
            }
        }
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        long pick = ThreadLocalRandom.current().nextLong(total);
        for (Account a : candidates) {
            pick -= a.weight();
            if (pick < 0) {
                return Optional.of(a);
            }
        }
        return Optional.of(candidates.get(candidates.size() - 1));
    }

    /**
     * The key for the account's Platform API calls (balance, billing events): FAL_ADMIN_KEY for the FAL_KEY account
     * when set (as before the pool), else the account's own key. Never logged.
     */
    String platformKey(long id) {
        Account a = snapshot.accounts().get(id);
        String auth = snapshot.authorizations().get(id);
        if (a == null || auth == null) {
            return null;
        }
        if (a.falKey()) {
            Optional<String> admin = platformConfig.key().filter(k -> !k.isBlank());
            if (admin.isPresent()) {
                return admin.get();
            }
        }
        return auth.substring("Key ".length());
    }

    /** The primary key's header: FAL_KEY, or with the sandbox and no FAL_KEY the key the sandbox asks for. */
    private String primary() {
        String p = primaryAuthorization;
        if (p == null) {
            p = "Key " + FalClient.operatorKey(falConfig.upstream(), falConfig.key(), upstream.requiredKey());
            primaryAuthorization = p;
        }
        return p;
    }

    private Optional<String> falKey() {
        return falConfig.key().filter(k -> !k.isBlank());
    }

    // ---- the account's state, changed by what fal answered -------------------------------------------------

    /**
     * fal refused a submit for a reason of the account (exhausted balance, locked, invalid key): the account is
     * disabled with fal's reason, here at once and in PostgreSQL (so every instance stops choosing it), audited and
     * counted. Blocking.
     */
    public void disableByProxy(long id, String reason) {
        replace(id, a -> a.disabled(reason, BY_PROXY, reason));
        boolean changed = QuarkusTransaction.requiringNew().call(() -> {
            int n = em.createNativeQuery("""
                            UPDATE upstream_accounts SET enabled = false, disabled_reason = ?2, disabled_by = 'proxy',
                                   last_error = ?2, last_error_at = now(), updated_at = now()
                            WHERE id = ?1 AND enabled""")
                    .setParameter(1, id).setParameter(2, truncate(reason)).executeUpdate();
            if (n > 0) {
                audit.record("upstream.disable", null, null, target(id), Map.of("enabled", true),
                        Map.of("enabled", false, "disabled_reason", truncate(reason), "by", BY_PROXY));
            }
            return n > 0;
        });
        // again once committed: a refresh that read PostgreSQL just before the update must not bring it back here
        replace(id, a -> a.disabled(reason, BY_PROXY, reason));
        if (changed) {
            LOG.warnf("upstream account %d disabled: %s", id, reason);
            metrics.upstreamState(nameOf(id), "disabled");
        }
    }

    /** fal rate limited the account (429): left out of the choice until {@code until}. Blocking. */
    public void coolDown(long id, Instant until, String error) {
        replace(id, a -> a.cooled(until, error));
        boolean changed = QuarkusTransaction.requiringNew().call(() -> {
            int n = em.createNativeQuery("""
                            UPDATE upstream_accounts SET cooled_until = ?2, last_error = ?3, last_error_at = now(),
                                   updated_at = now()
                            WHERE id = ?1 AND (cooled_until IS NULL OR cooled_until < ?2)""")
                    .setParameter(1, id).setParameter(2, OffsetDateTime.ofInstant(until, ZoneOffset.UTC))
                    .setParameter(3, truncate(error)).executeUpdate();
            if (n > 0) {
                audit.record("upstream.cool_down", null, null, target(id), null,
                        Map.of("cooled_until", until.toString(), "reason", truncate(error)));
            }
            return n > 0;
        });
        replace(id, a -> a.cooled(until, error));
        if (changed) {
            LOG.warnf("upstream account %d cooling down until %s: %s", id, until, error);
            metrics.upstreamState(nameOf(id), "cooling_down");
        }
    }

    /**
     * What a re-check found: the balance (null when not read), and, for an account the proxy disabled, whether it is
     * healthy again (then re-enabled, audited and counted). Blocking.
     *
     * @return true when it was re-enabled
     */
    public boolean recordCheck(long id, BigDecimal balance, boolean healthy, String error) {
        boolean reenabled = QuarkusTransaction.requiringNew().call(() -> {
            em.createNativeQuery("""
                            UPDATE upstream_accounts SET last_checked_at = now(),
                                   balance_usd = COALESCE(CAST(?2 AS numeric), balance_usd),
                                   last_error = COALESCE(CAST(?3 AS text), last_error),
                                   last_error_at = CASE WHEN CAST(?3 AS text) IS NULL THEN last_error_at ELSE now() END
                            WHERE id = ?1""")
                    .setParameter(1, id).setParameter(2, balance).setParameter(3, truncate(error)).executeUpdate();
            if (!healthy) {
                return false;
            }
            int n = em.createNativeQuery("""
                            UPDATE upstream_accounts SET enabled = true, disabled_reason = NULL, disabled_by = NULL,
                                   cooled_until = NULL, updated_at = now()
                            WHERE id = ?1 AND NOT enabled AND disabled_by = 'proxy'""")
                    .setParameter(1, id).executeUpdate();
            if (n > 0) {
                audit.record("upstream.enable", null, null, target(id), Map.of("enabled", false),
                        Map.of("enabled", true, "balance_usd", balance == null ? "unknown" : balance.toPlainString(),
                                "by", BY_PROXY));
            }
            return n > 0;
        });
        if (reenabled) {
            LOG.infof("upstream account %d re-enabled: healthy again", id);
            metrics.upstreamState(nameOf(id), "enabled");
        }
        refresh();
        return reenabled;
    }

    // ---- admin changes (audited by the caller's transaction) --------------------------------------------------

    /** A new account; the key is stored (encrypted when ADMIN_JWT_KEY_SECRET is set) and never answered again. */
    public long create(String name, String key, int weight, boolean enabled, Collection<Long> groups) {
        String hash = Hashing.sha256Hex(key);
        Number exists = (Number) em.createNativeQuery(
                        "SELECT count(*) FROM upstream_accounts WHERE key_hash = ?1 OR name = ?2")
                .setParameter(1, hash).setParameter(2, name).getSingleResult();
        if (exists.longValue() > 0) {
            throw ApiException.conflict("upstream_exists", "An account with this name or this key exists already.");
        }
        long id = insert(name, key, hash, weight, enabled);
        setGroups(id, groups);
        return id;
    }

    /** The groups limited to this account (replacing the ones before). */
    public void setGroups(long id, Collection<Long> groups) {
        em.createNativeQuery("DELETE FROM upstream_account_groups WHERE upstream_id = ?1").setParameter(1, id).executeUpdate();
        for (Long g : new HashSet<>(groups)) {
            Number known = (Number) em.createNativeQuery("SELECT count(*) FROM price_groups WHERE id = ?1")
                    .setParameter(1, g).getSingleResult();
            if (known.longValue() == 0) {
                throw ApiException.invalidParameter("No price group with id " + g + ".");
            }
            em.createNativeQuery("INSERT INTO upstream_account_groups(upstream_id, group_id) VALUES (?1, ?2)")
                    .setParameter(1, id).setParameter(2, g).executeUpdate();
        }
    }

    /** An admin's change of name, weight or enabled (null: unchanged). Enabling clears the reason and the cool-down. */
    public void update(long id, String name, Integer weight, Boolean enabled) {
        if (name != null) {
            Number taken = (Number) em.createNativeQuery(
                            "SELECT count(*) FROM upstream_accounts WHERE name = ?1 AND id <> ?2")
                    .setParameter(1, name).setParameter(2, id).getSingleResult();
            if (taken.longValue() > 0) {
                throw ApiException.conflict("upstream_exists", "Another account has this name.");
            }
            em.createNativeQuery("UPDATE upstream_accounts SET name = ?2, updated_at = now() WHERE id = ?1")
                    .setParameter(1, id).setParameter(2, name).executeUpdate();
        }
        if (weight != null) {
            em.createNativeQuery("UPDATE upstream_accounts SET weight = ?2, updated_at = now() WHERE id = ?1")
                    .setParameter(1, id).setParameter(2, weight).executeUpdate();
        }
        if (enabled != null) {
            em.createNativeQuery(enabled
                            ? """
                            UPDATE upstream_accounts SET enabled = true, disabled_reason = NULL, disabled_by = NULL,
                                   cooled_until = NULL, updated_at = now() WHERE id = ?1"""
                            : """
                            UPDATE upstream_accounts SET enabled = false, disabled_reason = 'disabled by an admin',
                                   disabled_by = 'admin', updated_at = now() WHERE id = ?1 AND enabled""")
                    .setParameter(1, id).executeUpdate();
        }
    }

    /** Open jobs (not settled) pinned to the account. */
    public long openJobs(long id) {
        return ((Number) em.createNativeQuery("SELECT count(*) FROM jobs WHERE settled_at IS NULL AND upstream_id = ?1")
                .setParameter(1, id).getSingleResult()).longValue();
    }

    /** Removes the account (the caller checked that no open job uses it, under the row lock). */
    public void delete(long id) {
        em.createNativeQuery("DELETE FROM upstream_accounts WHERE id = ?1").setParameter(1, id).executeUpdate();
    }

    /** Locks the account's row for a change; 404 when it does not exist. */
    public void lock(long id) {
        List<?> rows = em.createNativeQuery("SELECT id FROM upstream_accounts WHERE id = ?1 FOR UPDATE")
                .setParameter(1, id).getResultList();
        if (rows.isEmpty()) {
            throw ApiException.notFound("upstream_not_found", "No upstream account with id " + id + ".");
        }
    }

    /** The account's key prefix as shown (never more of the key). */
    public static String prefixOf(String key) {
        int colon = key.indexOf(':');
        int shown = Math.min(8, Math.max(2, (colon > 0 ? colon : key.length()) / 3));
        return key.substring(0, Math.min(shown, key.length())) + "…";
    }

    // ---- PostgreSQL ---------------------------------------------------------------------------------------------

    /**
     * Re-reads every account (blocking); the snapshot is replaced in one step. One refresh at a time, so that a read
     * that started before a change committed never replaces the snapshot of a read that started after it.
     */
    public synchronized void refresh() {
        record Row(long id, String name, String keyPrefix, String keyHash, String encryption, String value, String salt,
                   Integer iterations, String iv, int weight, boolean enabled, String disabledReason, String disabledBy,
                   Instant cooledUntil, String lastError, Instant lastErrorAt, Instant lastCheckedAt, BigDecimal balance,
                   Instant createdAt) {
        }
        List<Row> rows = new ArrayList<>();
        Map<Long, Set<Long>> groupsOfAccount = new HashMap<>();
        QuarkusTransaction.requiringNew().run(() -> {
            @SuppressWarnings("unchecked")
            List<Object[]> raw = em.createNativeQuery("""
                    SELECT id, name, key_prefix, key_hash, key_encryption, key_value, kdf_salt, kdf_iterations, iv, weight,
                           enabled, disabled_reason, disabled_by, cooled_until, last_error, last_error_at, last_checked_at,
                           balance_usd, created_at
                    FROM upstream_accounts ORDER BY id""").getResultList();
            for (Object[] r : raw) {
                rows.add(new Row(((Number) r[0]).longValue(), (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                        (String) r[5], (String) r[6], r[7] == null ? null : ((Number) r[7]).intValue(), (String) r[8],
                        ((Number) r[9]).intValue(), (Boolean) r[10], (String) r[11], (String) r[12],
                        Timestamps.instant(r[13]), (String) r[14], Timestamps.instant(r[15]), Timestamps.instant(r[16]),
                        (BigDecimal) r[17], Timestamps.instant(r[18])));
            }
            @SuppressWarnings("unchecked")
            List<Object[]> links = em.createNativeQuery("SELECT upstream_id, group_id FROM upstream_account_groups")
                    .getResultList();
            for (Object[] l : links) {
                groupsOfAccount.computeIfAbsent(((Number) l[0]).longValue(), k -> new HashSet<>()).add(((Number) l[1]).longValue());
            }
        });
        String falKeyHash = falKey().map(Hashing::sha256Hex).orElse(null);
        Map<Long, Account> accounts = new LinkedHashMap<>();
        Map<Long, String> auth = new HashMap<>();
        Map<Long, Set<Long>> groupAccounts = new HashMap<>();
        for (Row r : rows) {
            Set<Long> groups = Set.copyOf(groupsOfAccount.getOrDefault(r.id(), Set.of()));
            boolean isFalKey = r.keyHash().equals(falKeyHash);
            accounts.put(r.id(), new Account(r.id(), r.name(), r.keyPrefix(), r.weight(), r.enabled(), r.disabledReason(),
                    r.disabledBy(), r.cooledUntil(), groups, r.lastError(), r.lastErrorAt(), r.lastCheckedAt(), r.balance(),
                    r.createdAt(), isFalKey));
            for (Long g : groups) {
                groupAccounts.computeIfAbsent(g, k -> new HashSet<>()).add(r.id());
            }
            String key = isFalKey ? falKey().get() : open(r.id(), r.encryption(), r.value(), r.salt(), r.iterations(), r.iv(),
                    r.keyHash());
            if (key != null) {
                auth.put(r.id(), "Key " + key);
            }
        }
        opened.keySet().retainAll(accounts.keySet());
        snapshot = new Snapshot(Map.copyOf(accounts), Map.copyOf(auth), Map.copyOf(groupAccounts));
    }

    private String open(long id, String encryption, String value, String salt, Integer iterations, String iv, String hash) {
        if (ENCRYPTION_NONE.equals(encryption)) {
            return value;
        }
        if (FROM_CONFIG.equals(encryption)) {
            LOG.warnf("upstream account %d was FAL_KEY, which is now another key: not used (delete it, or set FAL_KEY back)",
                    id);
            return null;
        }
        OpenedKey cached = opened.get(id);
        if (cached != null && cached.stored().equals(value)) {
            return cached.key();
        }
        Optional<String> secret = sealConfig.keySecret().filter(s -> !s.isBlank());
        if (secret.isEmpty() || !SecretSeal.SCHEME.equals(encryption)) {
            LOG.errorf("upstream account %d: its key is encrypted and ADMIN_JWT_KEY_SECRET is not set; not used", id);
            return null;
        }
        String text = openKey(new StoredKey(encryption, value, salt, iterations, iv), hash, secret.get());
        if (text == null) {
            LOG.errorf("upstream account %d: ADMIN_JWT_KEY_SECRET does not decrypt its key; not used", id);
            return null;
        }
        opened.put(id, new OpenedKey(value, text));
        return text;
    }

    /** A key as its row keeps it: as it is ({@code none}), or AES-256-GCM under ADMIN_JWT_KEY_SECRET (base64 parts). */
    record StoredKey(String encryption, String value, String salt, Integer iterations, String iv) {
    }

    /** The key as stored: sealed when a secret is given (bound to the key's hash), else as it is. */
    static StoredKey sealKey(String key, String hash, Optional<String> secret) {
        if (secret.isEmpty()) {
            return new StoredKey(ENCRYPTION_NONE, key, null, null, null);
        }
        SecretSeal.Sealed sealed = SecretSeal.seal(key.getBytes(StandardCharsets.UTF_8), secret.get(), "upstream:" + hash);
        Base64.Encoder b64 = Base64.getEncoder();
        return new StoredKey(SecretSeal.SCHEME, b64.encodeToString(sealed.ciphertext()), b64.encodeToString(sealed.salt()),
                sealed.iterations(), b64.encodeToString(sealed.iv()));
    }

    /** The key of a sealed row, or null when the secret (or the hash it is bound to) does not open it. */
    static String openKey(StoredKey stored, String hash, String secret) {
        Base64.Decoder b64 = Base64.getDecoder();
        try {
            byte[] key = SecretSeal.open(new SecretSeal.Sealed(b64.decode(stored.value()), b64.decode(stored.salt()),
                    stored.iterations(), b64.decode(stored.iv())), secret, "upstream:" + hash);
            return new String(key, StandardCharsets.UTF_8);
        } catch (SecretSeal.WrongSecretException e) {
            return null;
        }
    }

    private void seed(String key) {
        String hash = Hashing.sha256Hex(key);
        Number exists = (Number) em.createNativeQuery("SELECT count(*) FROM upstream_accounts WHERE key_hash = ?1")
                .setParameter(1, hash).getSingleResult();
        if (exists.longValue() > 0) {
            return;
        }
        Number named = (Number) em.createNativeQuery("SELECT count(*) FROM upstream_accounts WHERE name = ?1")
                .setParameter(1, FAL_KEY_ACCOUNT).getSingleResult();
        String name = named.longValue() == 0 ? FAL_KEY_ACCOUNT : FAL_KEY_ACCOUNT + "-" + hash.substring(0, 8);
        // the FAL_KEY account is read from configuration, never decrypted: its row needs no ciphertext of the key
        em.createNativeQuery("""
                        INSERT INTO upstream_accounts(name, key_prefix, key_hash, key_encryption, key_value, weight, enabled)
                        VALUES (?1, ?2, ?3, 'from-config', '', 1, true) ON CONFLICT DO NOTHING""")
                .setParameter(1, name).setParameter(2, prefixOf(key)).setParameter(3, hash).executeUpdate();
        LOG.infof("upstream pool: FAL_KEY added as account '%s'", name);
    }

    private long insert(String name, String key, String hash, int weight, boolean enabled) {
        StoredKey stored = sealKey(key, hash, sealConfig.keySecret().filter(s -> !s.isBlank()));
        String encryption = stored.encryption();
        String value = stored.value();
        String salt = stored.salt();
        Integer iterations = stored.iterations();
        String iv = stored.iv();
        return ((Number) em.createNativeQuery("""
                        INSERT INTO upstream_accounts(name, key_prefix, key_hash, key_encryption, key_value, kdf_salt,
                                                      kdf_iterations, iv, weight, enabled, disabled_reason, disabled_by)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id""")
                .setParameter(1, name).setParameter(2, prefixOf(key)).setParameter(3, hash).setParameter(4, encryption)
                .setParameter(5, value).setParameter(6, salt).setParameter(7, iterations).setParameter(8, iv)
                .setParameter(9, weight).setParameter(10, enabled)
                .setParameter(11, enabled ? null : "disabled by an admin").setParameter(12, enabled ? null : BY_ADMIN)
                .getSingleResult()).longValue();
    }

    private void replace(long id, java.util.function.UnaryOperator<Account> change) {
        synchronized (this) {
            Snapshot s = snapshot;
            Account a = s.accounts().get(id);
            if (a == null) {
                return;
            }
            Map<Long, Account> accounts = new LinkedHashMap<>(s.accounts());
            accounts.put(id, change.apply(a));
            snapshot = new Snapshot(Map.copyOf(accounts), s.authorizations(), s.groupAccounts());
        }
    }

    private String nameOf(long id) {
        Account a = snapshot.accounts().get(id);
        return a == null ? Long.toString(id) : a.name();
    }

    static String target(long id) {
        return "upstream:" + id;
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }

    /** How long a 429 keeps the account out: fal's Retry-After when it gave one (at most an hour), else the setting. */
    Duration cooldownFor(String retryAfter) {
        if (retryAfter != null) {
            try {
                long seconds = Long.parseLong(retryAfter.trim());
                if (seconds > 0) {
                    return Duration.ofSeconds(Math.min(seconds, 3600));
                }
            } catch (NumberFormatException e) {
                // an HTTP date or garbage: the setting
            }
        }
        return config.cooldown();
    }
}
