package io.creditproxy.tenant;

import io.creditproxy.common.ApiException;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.List;

/** Tenant API keys: issue (shown once), list (never the key), revoke (effective at once). */
@ApplicationScoped
@Transactional
public class KeyService {

    private final ApiKeyRepository keys;
    private final TenantService tenants;
    private final EntityManager em;
    private final Event<KeyRevoked> revoked;

    public KeyService(ApiKeyRepository keys, TenantService tenants, EntityManager em, Event<KeyRevoked> revoked) {
        this.keys = keys;
        this.tenants = tenants;
        this.em = em;
        this.revoked = revoked;
    }

    /** @throws ApiException 404 unknown tenant, 422 bad name */
    public IssuedKey issue(long tenantId, String name) {
        String n = TenantService.requireName(name, "name");
        tenants.requireExists(tenantId);
        KeyGenerator.NewKey generated = KeyGenerator.generate();
        ApiKey k = new ApiKey();
        k.tenantId = tenantId;
        k.name = n;
        k.prefix = generated.prefix();
        k.keyHash = generated.hash();
        keys.persist(k);
        em.flush();
        em.refresh(k); // created_at comes from the column default
        return new IssuedKey(k.id, tenantId, generated.key(), k.prefix, k.name, k.createdAt);
    }

    /** All keys of a tenant, revoked ones included, oldest first. */
    @Transactional
    public List<KeyView> list(long tenantId) {
        tenants.requireExists(tenantId);
        return keys.find("tenantId", Sort.by("id"), tenantId).list().stream().map(KeyView::of).toList();
    }

    /**
     * Revokes a key; revoking an already revoked key changes nothing. {@link KeyRevoked} is fired once,
     * by the call that revoked it.
     *
     * @throws ApiException 404 unknown key
     */
    public void revoke(long keyId) {
        @SuppressWarnings("unchecked")
        List<String> hashes = em.createNativeQuery(
                        "UPDATE api_keys SET revoked_at = now() WHERE id = ?1 AND revoked_at IS NULL RETURNING key_hash")
                .setParameter(1, keyId)
                .getResultList();
        if (hashes.isEmpty()) {
            if (keys.findById(keyId) == null) {
                throw ApiException.notFound("unknown_key", "No key with id " + keyId + ".");
            }
            return;
        }
        revoked.fire(new KeyRevoked(keyId, hashes.get(0)));
    }
}
