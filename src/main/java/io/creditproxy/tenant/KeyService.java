package io.creditproxy.tenant;

import com.fasterxml.jackson.databind.JsonNode;
import io.creditproxy.audit.AuditLog;
import io.creditproxy.cache.Invalidation;
import io.creditproxy.cache.InvalidationBus;
import io.creditproxy.common.ApiException;
import io.creditproxy.limits.ModelPatterns;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;

/**
 * Tenant API keys: issue (shown once) with their controls (allowed models, expiry, requests per minute), change
 * those controls, rotate (new key, old one valid for a grace period, then revoked), list (never the key), revoke
 * (effective at once). Every change is audited and invalidates the key's cached controls on every instance.
 */
@ApplicationScoped
@Transactional
public class KeyService {

    public static final int MAX_RPM = 1_000_000;
    public static final long MAX_QUOTA = 1_000_000_000_000_000L;
    public static final int MAX_PAGE = 200;
    private static final Set<String> SPEC_FIELDS = Set.of("name", "allowed_models", "expires_at", "rate_limit_rpm",
            "group", "credit_quota");

    private final ApiKeyRepository keys;
    private final TenantService tenants;
    private final EntityManager em;
    private final Event<KeyRevoked> revoked;
    private final AuditLog audit;
    private final InvalidationBus bus;
    private final KeysConfig config;
    private final GroupService groups;

    public KeyService(ApiKeyRepository keys, TenantService tenants, EntityManager em, Event<KeyRevoked> revoked,
                      AuditLog audit, InvalidationBus bus, KeysConfig config, GroupService groups) {
        this.groups = groups;
        this.keys = keys;
        this.tenants = tenants;
        this.em = em;
        this.revoked = revoked;
        this.audit = audit;
        this.bus = bus;
        this.config = config;
    }

    /** @throws ApiException 404 unknown tenant, 422 bad name */
    public IssuedKey issue(long tenantId, String name) {
        com.fasterxml.jackson.databind.node.ObjectNode spec = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        spec.put("name", name);
        return issue(tenantId, spec);
    }

    /**
     * @param spec {"name", "allowed_models": [patterns] | null, "expires_at": ISO time | null, "rate_limit_rpm": n | null,
     *             "group": name (default: the tenant's default group), "credit_quota": credits | null (no cap)}
     * @throws ApiException 404 unknown tenant, 422 bad field, 403 group_not_allowed / group_disabled, 409
     *                      key_limit_reached when the tenant has its max_keys keys not revoked
     */
    public IssuedKey issue(long tenantId, JsonNode spec) {
        JsonNode body = checkFields(spec);
        String n = TenantService.requireName(JsonFields.text(body, "name"), "name");
        // the tenant row is locked so that two issues at once cannot both take the last key allowed
        Tenant t = em.find(Tenant.class, tenantId, LockModeType.PESSIMISTIC_WRITE);
        if (t == null) {
            throw ApiException.notFound("unknown_tenant", "No tenant with id " + tenantId + ".");
        }
        ApiKey k = new ApiKey();
        k.tenantId = tenantId;
        k.name = n;
        k.allowedModels = ModelPatterns.normalize(JsonFields.strings(body, "allowed_models"));
        k.expiresAt = JsonFields.time(body, "expires_at");
        k.rateLimitRpm = requireRpm(JsonFields.integer(body, "rate_limit_rpm"));
        String group = JsonFields.text(body, "group");
        k.groupId = group == null ? t.defaultGroupId : groups.usable(tenantId, group).id;
        k.creditQuota = requireQuota(JsonFields.integer(body, "credit_quota"));
        if (t.maxKeys != null) {
            long active = keys.count("tenantId = ?1 and revokedAt is null", tenantId);
            if (active >= t.maxKeys) {
                throw new ApiException(409, "key_limit_reached", "This account may have at most " + t.maxKeys
                        + " keys that are not revoked; revoke one first.", java.util.Map.of("max_keys", t.maxKeys, "keys", active));
            }
        }
        return persistNew(k, "key.issue");
    }

    /**
     * A tenant's keys, newest first, {@code search} matching a part of the name or the start of the prefix (any case),
     * {@code limit} at most {@link #MAX_PAGE}, keyset paged: keys with ids below {@code before}.
     */
    @Transactional
    public List<KeyView> page(long tenantId, String search, Integer limit, Long before) {
        int size = limit == null ? TenantService.DEFAULT_PAGE : limit;
        if (size < 1 || size > MAX_PAGE) {
            throw ApiException.invalidParameter("limit must be between 1 and " + MAX_PAGE);
        }
        StringBuilder q = new StringBuilder("tenantId = :tenant");
        io.quarkus.panache.common.Parameters params = io.quarkus.panache.common.Parameters.with("tenant", tenantId);
        if (before != null) {
            q.append(" and id < :before");
            params.and("before", before);
        }
        if (search != null && !search.isBlank()) {
            String term = search.trim().toLowerCase(java.util.Locale.ROOT);
            if (term.length() > 200) {
                throw ApiException.invalidParameter("search must be at most 200 characters");
            }
            String like = term.replace("!", "!!").replace("%", "!%").replace("_", "!_");
            q.append(" and (lower(name) like :any escape '!' or lower(prefix) like :start escape '!')");
            params.and("any", "%" + like + "%").and("start", like + "%");
        }
        return keys.find(q.toString(), Sort.by("id").descending(), params).range(0, size - 1).list()
                .stream().map(this::view).toList();
    }

    /**
     * The key if it is this tenant's: another tenant's key is 404, exactly like an unknown one.
     *
     * @throws ApiException 404 unknown_key
     */
    @Transactional
    public KeyView getOwned(long tenantId, long keyId) {
        return view(requireOwned(tenantId, keyId));
    }

    /** {@link #update} of the tenant's own key. @throws ApiException 404 for another tenant's key */
    public KeyView updateOwned(long tenantId, long keyId, JsonNode patch) {
        requireOwned(tenantId, keyId);
        return update(keyId, patch);
    }

    /** {@link #rotate} of the tenant's own key. @throws ApiException 404 for another tenant's key */
    public RotatedKey rotateOwned(long tenantId, long keyId, Long graceSeconds) {
        requireOwned(tenantId, keyId);
        return rotate(keyId, graceSeconds);
    }

    /** {@link #revoke} of the tenant's own key. @throws ApiException 404 for another tenant's key */
    public void revokeOwned(long tenantId, long keyId) {
        requireOwned(tenantId, keyId);
        revoke(keyId);
    }

    /** What a key has left, for the key itself ({@code GET /v1/key}). @throws ApiException 404 unknown_key */
    @Transactional
    public KeyQuota quota(long keyId) {
        ApiKey k = require(keyId, false);
        Tenant t = em.find(Tenant.class, k.tenantId);
        return new KeyQuota(k.name, groups.nameOf(k.groupId), k.creditQuota, k.creditsUsed,
                KeyView.remaining(k.creditQuota, k.creditsUsed), t.balance, t.balance + t.creditLimit, k.expiresAt);
    }

    private ApiKey requireOwned(long tenantId, long keyId) {
        ApiKey k = keys.findById(keyId);
        if (k == null || k.tenantId != tenantId) {
            throw ApiException.notFound("unknown_key", "No key with id " + keyId + ".");
        }
        return k;
    }

    KeyView view(ApiKey k) {
        return KeyView.of(k, groups.nameOf(k.groupId));
    }

    /** All keys of a tenant, revoked ones included, oldest first. */
    @Transactional
    public List<KeyView> list(long tenantId) {
        tenants.requireExists(tenantId);
        return keys.find("tenantId", Sort.by("id"), tenantId).list().stream().map(this::view).toList();
    }

    /** @throws ApiException 404 unknown_key */
    @Transactional
    public KeyView get(long keyId) {
        return view(require(keyId, false));
    }

    /**
     * Changes a key's name and controls (absent = unchanged, null = cleared: every model, no expiry, no rate limit).
     * Takes effect on every instance within a second.
     *
     * @throws ApiException 404 unknown_key, 409 key_revoked, 422 bad field
     */
    public KeyView update(long keyId, JsonNode patch) {
        JsonNode body = checkFields(patch);
        ApiKey k = require(keyId, true);
        if (k.revokedAt != null) {
            throw ApiException.conflict("key_revoked", "Key " + keyId + " is revoked; issue a new one.");
        }
        KeyView before = view(k);
        if (JsonFields.present(body, "name")) {
            k.name = TenantService.requireName(JsonFields.text(body, "name"), "name");
        }
        if (JsonFields.present(body, "allowed_models")) {
            k.allowedModels = ModelPatterns.normalize(JsonFields.strings(body, "allowed_models"));
        }
        if (JsonFields.present(body, "expires_at")) {
            k.expiresAt = JsonFields.time(body, "expires_at");
        }
        if (JsonFields.present(body, "rate_limit_rpm")) {
            k.rateLimitRpm = requireRpm(JsonFields.integer(body, "rate_limit_rpm"));
        }
        if (JsonFields.present(body, "group")) {
            String group = JsonFields.text(body, "group");
            if (group == null) {
                throw ApiException.invalidParameter("group must be the name of a group (GET /v1/groups)");
            }
            long id = groups.usable(k.tenantId, group).id;
            k.groupId = id;
        }
        if (JsonFields.present(body, "credit_quota")) {
            // the key row is locked, and every reservation takes that lock too: credits_used is exact here
            Long quota = requireQuota(JsonFields.integer(body, "credit_quota"));
            if (quota != null && quota < k.creditsUsed) {
                throw new ApiException(422, "quota_below_used", "credit_quota " + quota + " is below the "
                        + k.creditsUsed + " credits this key has already used; set at least that (no more spending) or more.",
                        java.util.Map.of("credits_used", k.creditsUsed));
            }
            k.creditQuota = quota;
        }
        em.flush();
        KeyView after = view(k);
        if (!after.equals(before)) {
            audit.record("key.update", k.tenantId, null, "key:" + keyId, before, after);
            bus.publish(Invalidation.key(keyId));
        }
        return after;
    }

    /**
     * Issues a replacement with the same name and controls; the old key keeps working for {@code graceSeconds}
     * (default {@code keys.default-rotation-grace}), then expires and is revoked by {@link #revokeRotatedDue()}.
     * A grace of 0 revokes the old key at once.
     *
     * @throws ApiException 404 unknown_key, 409 key_revoked / key_already_rotated, 422 bad grace
     */
    public RotatedKey rotate(long keyId, Long graceSeconds) {
        ApiKey old = require(keyId, true);
        if (old.revokedAt != null) {
            throw ApiException.conflict("key_revoked", "Key " + keyId + " is revoked; issue a new one.");
        }
        if (old.rotatedTo != null) {
            throw ApiException.conflict("key_already_rotated", "Key " + keyId + " was already rotated to key " + old.rotatedTo + ".");
        }
        Duration grace = graceSeconds == null ? config.defaultRotationGrace() : Duration.ofSeconds(graceSeconds);
        if (grace.isNegative() || grace.compareTo(config.maxRotationGrace()) > 0) {
            throw ApiException.invalidParameter("grace_seconds must be between 0 and " + config.maxRotationGrace().toSeconds());
        }
        KeyView before = view(old);
        ApiKey fresh = new ApiKey();
        fresh.tenantId = old.tenantId;
        fresh.name = old.name;
        fresh.allowedModels = old.allowedModels;
        fresh.expiresAt = old.expiresAt;
        fresh.rateLimitRpm = old.rateLimitRpm;
        fresh.groupId = old.groupId;
        if (old.creditQuota != null) {
            // what is left of the quota moves to the new key; the old one may spend no more during its grace period
            fresh.creditQuota = Math.max(0, old.creditQuota - old.creditsUsed);
            old.creditQuota = Math.max(old.creditsUsed, 0);
        }
        IssuedKey issued = persistNew(fresh, "key.issue");

        OffsetDateTime graceEnd = OffsetDateTime.now().plus(grace);
        old.rotatedTo = issued.id();
        if (old.expiresAt == null || old.expiresAt.isAfter(graceEnd)) {
            old.expiresAt = graceEnd;
        }
        if (grace.isZero()) {
            old.revokedAt = OffsetDateTime.now();
        }
        em.flush();
        audit.record("key.rotate", old.tenantId, null, "key:" + keyId, before, view(old));
        bus.publish(Invalidation.key(keyId));
        if (grace.isZero()) {
            revoked.fire(new KeyRevoked(keyId, old.keyHash));
        }
        return new RotatedKey(issued, keyId, old.expiresAt);
    }

    /**
     * Revokes a key; revoking an already revoked key changes nothing. {@link KeyRevoked} is fired once,
     * by the call that revoked it.
     *
     * @throws ApiException 404 unknown key
     */
    public void revoke(long keyId) {
        ApiKey before = keys.findById(keyId);
        if (before == null) {
            throw ApiException.notFound("unknown_key", "No key with id " + keyId + ".");
        }
        KeyView beforeView = view(before);
        @SuppressWarnings("unchecked")
        List<String> hashes = em.createNativeQuery(
                        "UPDATE api_keys SET revoked_at = now() WHERE id = ?1 AND revoked_at IS NULL RETURNING key_hash")
                .setParameter(1, keyId)
                .getResultList();
        if (hashes.isEmpty()) {
            return;
        }
        em.refresh(before);
        audit.record("key.revoke", before.tenantId, null, "key:" + keyId, beforeView, view(before));
        bus.publish(Invalidation.key(keyId));
        revoked.fire(new KeyRevoked(keyId, hashes.get(0)));
    }

    /**
     * Revokes the old keys of rotations whose grace period is over (they are already refused as expired). Safe on
     * several instances at once: each key is revoked by exactly one UPDATE.
     *
     * @return how many keys were revoked
     */
    public int revokeRotatedDue() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        UPDATE api_keys SET revoked_at = now()
                        WHERE rotated_to IS NOT NULL AND revoked_at IS NULL AND expires_at <= now()
                        RETURNING id, key_hash""")
                .getResultList();
        for (Object[] row : rows) {
            long id = ((Number) row[0]).longValue();
            ApiKey k = keys.findById(id);
            em.refresh(k);
            audit.record("key.revoke", k.tenantId, null, "key:" + id,
                    java.util.Map.of("reason", "rotation grace period over"), view(k));
            bus.publish(Invalidation.key(id));
            revoked.fire(new KeyRevoked(id, (String) row[1]));
        }
        return rows.size();
    }

    private IssuedKey persistNew(ApiKey k, String action) {
        KeyGenerator.NewKey generated = KeyGenerator.generate();
        k.prefix = generated.prefix();
        k.keyHash = generated.hash();
        keys.persist(k);
        em.flush();
        em.refresh(k); // created_at comes from the column default
        audit.record(action, k.tenantId, null, "key:" + k.id, null, view(k));
        return new IssuedKey(k.id, k.tenantId, generated.key(), k.prefix, k.name, groups.nameOf(k.groupId),
                k.creditQuota, k.createdAt);
    }

    private ApiKey require(long keyId, boolean lock) {
        ApiKey k = lock ? em.find(ApiKey.class, keyId, LockModeType.PESSIMISTIC_WRITE) : keys.findById(keyId);
        if (k == null) {
            throw ApiException.notFound("unknown_key", "No key with id " + keyId + ".");
        }
        return k;
    }

    private static JsonNode checkFields(JsonNode spec) {
        JsonNode body = JsonFields.object(spec);
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!SPEC_FIELDS.contains(f)) {
                throw ApiException.invalidParameter("unknown field '" + f
                        + "' (name, group, credit_quota, allowed_models, expires_at, rate_limit_rpm)");
            }
        }
        return body;
    }

    private static Long requireQuota(Long quota) {
        if (quota != null && (quota < 0 || quota > MAX_QUOTA)) {
            throw ApiException.invalidParameter("credit_quota must be between 0 and " + MAX_QUOTA + " credits, or null for no cap");
        }
        return quota;
    }

    private static Integer requireRpm(Long rpm) {
        if (rpm == null) {
            return null;
        }
        if (rpm < 1 || rpm > MAX_RPM) {
            throw ApiException.invalidParameter("rate_limit_rpm must be between 1 and " + MAX_RPM + ", or null for no limit");
        }
        return rpm.intValue();
    }
}
