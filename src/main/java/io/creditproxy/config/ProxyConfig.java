package io.creditproxy.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "proxy")
public interface ProxyConfig {

    /**
     * Base URL tenants reach the proxy at ({@code PROXY_PUBLIC_URL}): written into rewritten fal links and into the
     * proxy's own fal webhook URL. When absent it is taken from the request's Host, which production allows only for
     * the host names of {@link #allowedHosts()}.
     */
    Optional<String> publicUrl();

    /**
     * Host names the fal passthrough answers to ({@code PROXY_ALLOWED_HOSTS}, comma-separated; {@code name} matches any
     * port, {@code name:port} only that port). A passthrough request naming another host gets 421.
     */
    Optional<List<String>> allowedHosts();

    /**
     * Dev and tests only: build URLs from whatever Host a request names. Off (production), the proxy refuses to start
     * without {@link #publicUrl()} or {@link #allowedHosts()}: a client chooses its Host header.
     */
    @WithDefault("false")
    boolean trustRequestHost();

    /** Largest submit body accepted; larger ones get 413 and cost nothing. */
    MemorySize maxBodyBytes();

    /**
     * How long a synchronous run ({@code fal.run}, {@code /run/{model id}}) may take, from its arrival, before the proxy
     * answers 504 {@code sync_timeout} with the request id and the proxy's status and result URLs
     * ({@code PROXY_SYNC_TIMEOUT}). The job stays billed and is settled as any queue job. Keep it below the clients'
     * own timeouts: Node's fetch gives up waiting for an answer's headers after 300 s, and fal's JS client then sends
     * the run again (a new job).
     */
    Duration syncTimeout();

    /**
     * How long Redis remembers which tenant owns a request id (polls then need no PostgreSQL); each instance also keeps
     * it in memory until it is not polled for this long.
     */
    Duration jobCacheTtl();

    /**
     * How long Redis remembers which key and tenant a key hash names, and how long an instance keeps that in memory
     * once unused; a revoke evicts both at once (and the key's controls refuse it everywhere at once anyway).
     */
    Duration keyCacheTtl();

    /**
     * Threads that group-commit reservations (a tenant always uses the same one). Each holds a database connection
     * while it writes a batch, so keep it well below the pool size.
     */
    @WithDefault("2")
    int commitLanes();

    /** Most submits written in one group commit. */
    @WithDefault("256")
    int commitMaxBatch();
}
