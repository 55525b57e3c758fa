package io.creditproxy.storage;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** File uploads through the proxy ({@code fal.storage.upload}, or a Blob in an input): limits and price, per tenant. */
@ConfigMapping(prefix = "uploads")
public interface UploadConfig {

    /** Largest file a tenant may upload (UPLOADS_MAX_FILE_SIZE); larger ones get 413 and cost nothing. */
    @WithDefault("100M")
    MemorySize maxFileSize();

    /** Uploads each tenant may start per UTC day (UPLOADS_MAX_PER_DAY); beyond it 429 with Retry-After. 0: none. */
    @WithDefault("1000")
    int maxPerDay();

    /**
     * Credits charged per upload (UPLOADS_PRICE_CREDITS), taken when the bytes are relayed to fal, given back if they
     * never reach it. 0 (the default): uploads are free; they are still counted and recorded.
     */
    @WithDefault("0")
    long priceCredits();

    /** How long the upload URL the proxy hands out stays usable (UPLOADS_URL_TTL). */
    @WithDefault("1h")
    Duration urlTtl();
}
