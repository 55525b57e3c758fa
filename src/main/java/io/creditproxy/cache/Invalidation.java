package io.creditproxy.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * "Something cached in every instance changed": the CDI event observed by the caches, and the pub/sub message
 * (this record as JSON) that carries it to the other instances.
 *
 * @param topic {@link #PRICING}, {@link #KEY}, {@link #TENANT}, {@link #GROUP} or {@link #ALL}
 * @param id    the key or tenant id (a group's name), null for the whole topic
 */
public record Invalidation(String topic, String id) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** the price table and the rates */
    public static final String PRICING = "pricing";
    /** one API key's controls (revocation, expiry, allowed models, rate limit) */
    public static final String KEY = "key";
    /** one tenant's controls (price multiplier, concurrent jobs) */
    public static final String TENANT = "tenant";
    /** a price group (multiplier, enabled): every key in it; id = the group's name */
    public static final String GROUP = "group";
    /** everything: sent to local caches after a (re)subscription, since messages may have been missed */
    public static final String ALL = "all";

    public static Invalidation pricing() {
        return new Invalidation(PRICING, null);
    }

    public static Invalidation key(long keyId) {
        return new Invalidation(KEY, Long.toString(keyId));
    }

    public static Invalidation tenant(long tenantId) {
        return new Invalidation(TENANT, Long.toString(tenantId));
    }

    public static Invalidation group(String name) {
        return new Invalidation(GROUP, name);
    }

    public static Invalidation all() {
        return new Invalidation(ALL, null);
    }

    /** true when a cache of this topic must drop something */
    public boolean concerns(String cacheTopic) {
        return topic.equals(ALL) || topic.equals(cacheTopic);
    }

    public Long idAsLong() {
        try {
            return id == null ? null : Long.valueOf(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public String encode() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** null for a message this version does not understand (it is then treated as {@link #all()}) */
    public static Invalidation decode(String message) {
        if (message == null || message.isBlank()) {
            return null;
        }
        try {
            Invalidation i = JSON.readValue(message, Invalidation.class);
            return i.topic() == null ? null : i;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
