package io.creditproxy.admin;

import java.util.Set;

/** The two admin roles, carried in the token's {@code groups} claim. */
public final class Roles {

    /** may do everything */
    public static final String ADMIN = "admin";
    /** may only read (GET endpoints) */
    public static final String FINANCE = "finance";

    public static final Set<String> ALL = Set.of(ADMIN, FINANCE);

    private Roles() {
    }
}
