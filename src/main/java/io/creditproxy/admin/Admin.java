package io.creditproxy.admin;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** An operator who logs in to the admin API. Only a bcrypt hash of the password is stored. */
@Entity
@Table(name = "admins")
public class Admin {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false)
    public String username;

    @Column(name = "password_hash", nullable = false)
    public String passwordHash;

    /** {@link Roles#ADMIN} or {@link Roles#FINANCE} */
    @Column(nullable = false)
    public String role;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    /** carried by every token as {@code token_version}; bumped to refuse every token issued before */
    @Column(name = "token_version", nullable = false, insertable = false)
    public long tokenVersion;

    /** set while the admin may neither log in nor use a token */
    @Column(name = "disabled_at")
    public OffsetDateTime disabledAt;
}
