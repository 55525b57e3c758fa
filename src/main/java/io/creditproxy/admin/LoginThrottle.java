package io.creditproxy.admin;

import io.creditproxy.common.Hashing;
import io.creditproxy.config.AdminConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Counts failed admin logins per user name and per client address, so that guessing passwords is throttled: at
 * {@code max-failures-per-username} (or {@code -per-address}) failures within the window, that name (or address) is
 * locked for a window, whatever the password. Counters live in Redis, one Lua script per step so that instances
 * never race and the lockout is seen by every instance; the lockout is reported once, by the failure that reached
 * the limit. While Redis is down each instance counts alone (in memory) and tries Redis again after a back-off;
 * locks taken during the outage are still honoured when it is over.
 */
@ApplicationScoped
public class LoginThrottle {

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class);

    /** what a lock is on */
    public enum Scope {
        USERNAME, ADDRESS
    }

    /** a refusal: retry after so many seconds */
    public record Lock(Scope scope, long retryAfterSeconds) {
    }

    /** a lock that this failure started (reported once, e.g. to the audit log) */
    public record Lockout(Scope scope, long failures, long lockedForSeconds) {
    }

    /** KEYS[1] user, KEYS[2] address. Returns {user count, user ms left, address count, address ms left}. */
    static final String CHECK = """
            local out = {}
            for i = 1, 2 do
              local n = tonumber(redis.call('GET', KEYS[i]) or '0')
              local ttl = redis.call('PTTL', KEYS[i])
              out[#out + 1] = n
              out[#out + 1] = ttl
            end
            return out
            """;

    /**
     * Counts one failure for both keys. ARGV[1] window ms, ARGV[2] user limit, ARGV[3] address limit. The window
     * starts at the first failure; the failure that reaches the limit restarts it, so a lockout lasts a whole window.
     * Returns {user count, user ms left, address count, address ms left}.
     */
    static final String FAIL = """
            local out = {}
            for i = 1, 2 do
              local n = redis.call('INCR', KEYS[i])
              if n == 1 or n == tonumber(ARGV[i + 1]) then
                redis.call('PEXPIRE', KEYS[i], ARGV[1])
              end
              local ttl = redis.call('PTTL', KEYS[i])
              if ttl < 0 then
                redis.call('PEXPIRE', KEYS[i], ARGV[1])
                ttl = tonumber(ARGV[1])
              end
              out[#out + 1] = n
              out[#out + 1] = ttl
            end
            return out
            """;

    /** the per-instance count of one key while Redis is down */
    private static final class Window {
        long count;
        long expiresAt;
    }

    /**
     * Above this many in-memory counters, expired ones are dropped. Every failure costs a bcrypt check first, which
     * bounds how fast a flood of names can add counters while Redis is down.
     */
    private static final int MAX_LOCAL_KEYS = 100_000;

    private final RedisDataSource redis;
    private final AdminConfig.LoginThrottle config;
    private final Map<String, Window> local = new ConcurrentHashMap<>();
    private volatile long skipRedisUntil;
    private volatile boolean redisDown;

    public LoginThrottle(RedisDataSource redis, AdminConfig config) {
        this.redis = redis;
        this.config = config.loginThrottle();
    }

    /** @return the lock that refuses this attempt (the longer one when both are locked), or null */
    public Lock check(String username, String address) {
        String userKey = usernameKey(username);
        String addressKey = addressKey(address);
        long[] counts = redis(CHECK, userKey, addressKey);
        long[] mine = localCheck(userKey, addressKey);
        Lock lock = null;
        for (long[] c : counts == null ? List.of(mine) : List.of(counts, mine)) {
            lock = longer(lock, lockOf(Scope.USERNAME, c[0], c[1], config.maxFailuresPerUsername()));
            lock = longer(lock, lockOf(Scope.ADDRESS, c[2], c[3], config.maxFailuresPerAddress()));
        }
        return lock;
    }

    /** Counts a failure. @return the lockouts it started (empty mostly) */
    public List<Lockout> failed(String username, String address) {
        String userKey = usernameKey(username);
        String addressKey = addressKey(address);
        long windowMs = config.window().toMillis();
        long[] counts = redis(FAIL, userKey, addressKey, Long.toString(windowMs),
                Integer.toString(config.maxFailuresPerUsername()), Integer.toString(config.maxFailuresPerAddress()));
        if (counts == null) {
            counts = localFail(userKey, addressKey, windowMs);
        }
        List<Lockout> started = new ArrayList<>(2);
        if (counts[0] == config.maxFailuresPerUsername()) {
            started.add(new Lockout(Scope.USERNAME, counts[0], seconds(counts[1])));
        }
        if (counts[2] == config.maxFailuresPerAddress()) {
            started.add(new Lockout(Scope.ADDRESS, counts[2], seconds(counts[3])));
        }
        return started;
    }

    /** A correct password clears the name's failures (never the address's: one good account must not reset it). */
    public void succeeded(String username) {
        String userKey = usernameKey(username);
        local.remove(userKey);
        if (System.currentTimeMillis() >= skipRedisUntil) {
            try {
                redis.key().del(userKey);
            } catch (RuntimeException e) {
                down(e);
            }
        }
    }

    /** Names are counted case-insensitively and hashed, so that any string makes a short key. */
    static String usernameKey(String username) {
        String name = username == null ? "" : username.toLowerCase(Locale.ROOT);
        return "cp:login:user:" + Hashing.sha256Hex(name).substring(0, 32);
    }

    static String addressKey(String address) {
        return "cp:login:addr:" + clientKey(address);
    }

    /** An IPv4 address as is; an IPv6 one as its /64 (one client usually holds a whole /64). */
    static String clientKey(String address) {
        if (address == null || address.isBlank()) {
            return "unknown";
        }
        String a = address.trim();
        if (!a.contains(":")) {
            return a;
        }
        try {
            byte[] bytes = InetAddress.getByName(a.startsWith("[") ? a.substring(1, a.length() - 1) : a).getAddress();
            if (bytes.length != 16) {
                return a;
            }
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
            }
            return prefix.append(":/64").toString();
        } catch (UnknownHostException e) {
            return a;
        }
    }

    private static Lock lockOf(Scope scope, long count, long msLeft, int limit) {
        return count >= limit && msLeft > 0 ? new Lock(scope, seconds(msLeft)) : null;
    }

    private static Lock longer(Lock a, Lock b) {
        if (a == null) {
            return b;
        }
        return b == null || a.retryAfterSeconds() >= b.retryAfterSeconds() ? a : b;
    }

    private static long seconds(long ms) {
        return Math.max(1, (ms + 999) / 1000);
    }

    // ---- Redis -----------------------------------------------------------------------------------------

    /** the script's four numbers, or null when Redis could not be asked */
    private long[] redis(String script, String userKey, String addressKey, String... args) {
        if (System.currentTimeMillis() < skipRedisUntil) {
            return null;
        }
        List<String> command = new ArrayList<>(List.of(script, "2", userKey, addressKey));
        command.addAll(List.of(args));
        try {
            Response r = redis.execute("EVAL", command.toArray(String[]::new));
            if (redisDown) {
                redisDown = false;
                LOG.info("Redis is back: admin login failures are counted across instances again");
            }
            return new long[] {r.get(0).toLong(), r.get(1).toLong(), r.get(2).toLong(), r.get(3).toLong()};
        } catch (RuntimeException e) {
            down(e);
            return null;
        }
    }

    private void down(RuntimeException e) {
        if (!redisDown) {
            redisDown = true;
            LOG.warnf("Redis unavailable for the admin login throttle (%s): failures are counted per instance until "
                    + "it is back", e.getClass().getSimpleName());
        }
        skipRedisUntil = System.currentTimeMillis() + config.redisBackoff().toMillis();
    }

    // ---- this instance alone (Redis down) ----------------------------------------------------------------

    private long[] localCheck(String userKey, String addressKey) {
        long now = System.currentTimeMillis();
        long[] out = new long[4];
        Window user = local.get(userKey);
        Window address = local.get(addressKey);
        synchronized (local) {
            if (user != null && user.expiresAt > now) {
                out[0] = user.count;
                out[1] = user.expiresAt - now;
            }
            if (address != null && address.expiresAt > now) {
                out[2] = address.count;
                out[3] = address.expiresAt - now;
            }
        }
        return out;
    }

    private long[] localFail(String userKey, String addressKey, long windowMs) {
        long now = System.currentTimeMillis();
        synchronized (local) {
            if (local.size() > MAX_LOCAL_KEYS) {
                purgeExpired(now);
            }
            long[] user = count(userKey, windowMs, now, config.maxFailuresPerUsername());
            long[] address = count(addressKey, windowMs, now, config.maxFailuresPerAddress());
            return new long[] {user[0], user[1], address[0], address[1]};
        }
    }

    /** the same rule as {@link #FAIL}, for one key */
    private long[] count(String key, long windowMs, long now, int limit) {
        Window w = local.get(key);
        if (w == null || w.expiresAt <= now) {
            w = new Window();
            w.expiresAt = now + windowMs;
            local.put(key, w);
        }
        w.count++;
        if (w.count == limit) {
            w.expiresAt = now + windowMs;
        }
        return new long[] {w.count, w.expiresAt - now};
    }

    private void purgeExpired(long now) {
        for (Iterator<Window> it = local.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAt <= now) {
                it.remove();
            }
        }
    }
}
