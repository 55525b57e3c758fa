-- The RSA key pair that signs and verifies admin JWTs when no key files are configured
-- (ADMIN_JWT_SIGN_KEY_LOCATION / ADMIN_JWT_VERIFY_KEY_LOCATION). The first instance that starts without key files
-- generates it and inserts it with ON CONFLICT DO NOTHING on the one allowed id; every instance then reads the row
-- back, so instances starting together end up with the same pair. See io.creditproxy.admin.JwtKeyStore.
CREATE TABLE admin_jwt_keys (
    id              smallint    PRIMARY KEY CHECK (id = 1),
    algorithm       text        NOT NULL CHECK (algorithm = 'RS256'),
    public_key      text        NOT NULL,   -- X.509 SubjectPublicKeyInfo, PEM
    -- 'none': PKCS#8 PEM. 'aes-256-gcm/pbkdf2-sha256': base64 of the AES-256-GCM ciphertext of the PKCS#8 DER,
    -- under a key derived from ADMIN_JWT_KEY_SECRET with PBKDF2-HMAC-SHA256 (salt, iterations, iv below; the
    -- public key PEM is the associated data, so a ciphertext only opens next to its own public key)
    private_key     text        NOT NULL,
    encryption      text        NOT NULL CHECK (encryption IN ('none', 'aes-256-gcm/pbkdf2-sha256')),
    kdf_salt        text,
    kdf_iterations  integer,
    cipher_iv       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (encryption = 'none' OR (kdf_salt IS NOT NULL AND kdf_iterations > 0 AND cipher_iv IS NOT NULL))
);
-- Only the application's own role (the table's owner) and superusers read it; no grant to PUBLIC.
REVOKE ALL ON admin_jwt_keys FROM PUBLIC;
