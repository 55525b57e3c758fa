package io.creditproxy.tenant;

/** The tenant and key behind an authenticated tenant request. */
public record Caller(long tenantId, long keyId) {
}
