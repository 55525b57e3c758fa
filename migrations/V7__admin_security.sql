-- Admin accounts can be disabled, and every admin token carries the token_version it was issued under: disabling an
-- admin or changing a password bumps the version, so every token issued before is refused at once (each admin
-- request reads this row; see io.creditproxy.admin.AdminTokenCheck).
ALTER TABLE admins
    ADD COLUMN token_version bigint      NOT NULL DEFAULT 1,
    ADD COLUMN disabled_at   timestamptz;
