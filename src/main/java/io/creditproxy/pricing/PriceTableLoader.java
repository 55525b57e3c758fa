package io.creditproxy.pricing;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * At start (Flyway has migrated by then), adds the models of the shipped price list that PostgreSQL does not have
 * yet. Existing rows are never overwritten: the database, where admins edit prices, is the truth.
 */
@ApplicationScoped
public class PriceTableLoader {

    private static final Logger LOG = Logger.getLogger(PriceTableLoader.class);

    private final PriceListService pricing;
    private final PricingConfig config;

    public PriceTableLoader(PriceListService pricing, PricingConfig config) {
        this.pricing = pricing;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        List<PriceListEntry> entries = readPriceList(config.priceList());
        int added = pricing.addMissingModels(entries);
        LOG.infof("price list %s: %d of %d models added to the price table (the others were already there)",
                config.priceList(), added, entries.size());
    }

    /** Reads and validates a price list from the classpath; a broken shipped list stops the start. */
    public static List<PriceListEntry> readPriceList(String resource) {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("price list " + resource + " is not on the classpath");
            }
            return PriceListCsv.read(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
