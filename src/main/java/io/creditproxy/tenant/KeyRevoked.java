package io.creditproxy.tenant;

/**
 * CDI event fired when a key is revoked, so that caches of authenticated keys can drop it.
 * It is fired inside the revoking transaction: observe it with
 * {@code @Observes(during = TransactionPhase.AFTER_SUCCESS)} to act only once the revocation is committed.
 *
 * @param keyHash hex SHA-256 of the key, as in {@code api_keys.key_hash}
 */
public record KeyRevoked(long keyId, String keyHash) {
}
