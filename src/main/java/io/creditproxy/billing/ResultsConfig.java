package io.creditproxy.billing;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Final results kept after fal's own retention (fal: 1 hour, 6 minutes from 10 KB), served by the result route once fal
 * answers 404/410 ({@link KeptResults}).
 */
@ConfigMapping(prefix = "results")
public interface ResultsConfig {

    /** How long a COMPLETED job's result is kept from its settlement ({@code RESULTS_KEEP_FOR}); 0 keeps none. */
    @WithDefault("7d")
    Duration keepFor();

    /** Larger results are not kept (logged and counted as {@code too_large}) ({@code RESULTS_MAX_BYTES}). */
    @WithDefault("10M")
    MemorySize maxBytes();

    /**
     * Results up to this size are kept in PostgreSQL; larger ones go to {@link #directory()} when it is set, else to
     * PostgreSQL too ({@code RESULTS_INLINE_MAX_BYTES}).
     */
    @WithDefault("256K")
    MemorySize inlineMaxBytes();

    /**
     * Where results above {@link #inlineMaxBytes()} are written, one file per job ({@code RESULTS_DIRECTORY}). With
     * several instances it must be storage they all share; a file another instance cannot see is served as not kept.
     */
    Optional<String> directory();

    /** How often expired results are deleted, rows and files ({@code RESULTS_CLEANUP_INTERVAL}). */
    @WithDefault("10m")
    String cleanupInterval();
}
