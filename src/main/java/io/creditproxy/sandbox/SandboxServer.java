package io.creditproxy.sandbox;

import io.creditproxy.config.FalConfig;
import io.creditproxy.config.SandboxConfig;
import io.creditproxy.fal.LocalFal;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The fal simulator inside Quarkus: started at startup only when {@code fal.upstream=sandbox}, on the
 * Quarkus-managed Vert.x, and the application's fal upstream then ({@link LocalFal}: production code reaches it only
 * through that interface), listening on {@code sandbox.host:sandbox.port} (0 = a free port), stopped at shutdown.
 * Besides {@link #baseUrl()} it offers hooks for tests: what each submit received, counters, live delays, reset.
 */
@ApplicationScoped
public class SandboxServer implements LocalFal {

    private static final Logger LOG = Logger.getLogger(SandboxServer.class);

    private final Vertx vertx;
    private final FalConfig falConfig;
    private final SandboxConfig config;
    private volatile FalSimulator simulator;

    public SandboxServer(Vertx vertx, FalConfig falConfig, SandboxConfig config) {
        this.vertx = vertx;
        this.falConfig = falConfig;
        this.config = config;
    }

    /** Early, so that beans observing startup later can already forward to it. */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (enabled()) {
            running();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        FalSimulator current = simulator;
        if (current != null) {
            try {
                current.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debugf("fal sandbox upstream: stop did not complete cleanly (%s)", e.toString());
            }
            simulator = null;
        }
    }

    public boolean enabled() {
        return falConfig.upstream() == FalConfig.Upstream.sandbox;
    }

    /** e.g. http://127.0.0.1:8089 ; the sandbox answers fal's paths under it. */
    @Override
    public String baseUrl() {
        return running().baseUrl();
    }

    @Override
    public String jwksUrl() {
        return running().jwksUrl();
    }

    @Override
    public Optional<String> requiredKey() {
        return settings().requiredKey();
    }

    /** What the submit that created this request received (method, path, query, headers, body). */
    public Optional<ReceivedSubmit> receivedSubmit(String requestId) {
        return running().receivedSubmit(requestId);
    }

    /** The last {@code n} submits (refused ones included), newest first. */
    public List<ReceivedSubmit> lastSubmits(int n) {
        return running().lastSubmits(n);
    }

    public boolean cancelRequested(String requestId) {
        return running().cancelRequested(requestId);
    }

    public SandboxCounters counters() {
        return running().counters();
    }

    /** Live settings: delays and webhook retries set here apply to requests submitted afterwards. */
    public SandboxSettings settings() {
        return running().settings();
    }

    /** The key the sandbox signs webhooks with (also served at {@code /.well-known/jwks.json}). */
    public PublicKey webhookPublicKey() {
        return running().webhookPublicKey();
    }

    /** Signs a webhook body as fal would (for tests that play fal's part): the four X-Fal-Webhook-* headers. */
    public java.util.Map<String, String> signWebhook(String requestId, byte[] body, long timestampSeconds) {
        return running().signWebhook(requestId, body, timestampSeconds);
    }

    /** Base URL of the simulated Platform API (fal's {@code https://api.fal.ai/v1}). */
    @Override
    public String platformUrl() {
        return running().baseUrl() + "/v1";
    }

    /**
     * fal changes its price of a model (Platform API and billing): requests completed until now keep the old one.
     * A null price: fal no longer prices (nor bills) the model.
     */
    public void setFalPrice(String modelId, String unit, java.math.BigDecimal usdPerUnit) {
        running().platform().setPrice(modelId, unit, usdPerUnit);
    }

    /** The credit the simulated fal account started with; its balance is this minus everything billed. */
    public void setFalStartingBalance(java.math.BigDecimal usd) {
        running().platform().setStartingBalance(usd);
    }

    /** The simulated account's balance now. */
    public java.math.BigDecimal falBalance() {
        return running().platform().balance();
    }

    /** The last {@code n} storage upload initiations the simulator received (headers included), newest first. */
    public List<ReceivedSubmit> lastStorageInitiations(int n) {
        return running().lastStorageInitiations(n);
    }

    /** A file uploaded to the simulated storage, by the part of its URL after {@code /storage/files/}. */
    public Optional<byte[]> storedFile(String key) {
        return running().storedFile(key);
    }

    /** A simulated fal account with its key and starting credit (USD); see {@link FalSimulator#addAccount}. */
    public void addFalAccount(String key, java.math.BigDecimal usd) {
        running().addAccount(key, usd);
    }

    /** Adds credit to a simulated fal account. */
    public void topUpFalAccount(String key, java.math.BigDecimal usd) {
        running().topUpAccount(key, usd);
    }

    /** A simulated fal account's balance now (empty for a key that is not one). */
    public Optional<java.math.BigDecimal> falAccountBalance(String key) {
        return running().accountBalance(key);
    }

    /** How many status, result, cancel and stream requests came with this key. */
    public long requestCallsWith(String key) {
        return running().requestCallsWith(key);
    }

    /** Forgets requests and recorded submits, zeroes counters, restores the configured settings (and fal's prices). */
    public void reset() {
        running().reset();
    }

    private FalSimulator running() {
        FalSimulator current = simulator;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (simulator == null) {
                if (!enabled()) {
                    throw new IllegalStateException("the sandbox upstream is off (fal.upstream=" + falConfig.upstream() + ")");
                }
                FalSimulator started = new FalSimulator(vertx, SandboxSettings.from(config));
                try {
                    started.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException("the fal sandbox upstream could not start on "
                            + config.host() + ":" + config.port(), e);
                }
                LOG.infof("fal sandbox upstream listening on %s", started.baseUrl());
                simulator = started;
            }
            return simulator;
        }
    }
}
