package io.creditproxy.fal;

import io.creditproxy.common.ApiException;
import io.creditproxy.fal.FalPlatformClient.FalBalance;
import io.creditproxy.fal.UpstreamAccounts.Account;
import io.quarkus.scheduler.Scheduled;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Every {@code upstreams.recheck-interval}: reads each fal account's credit balance (fal's Platform API, with the
 * account's key), and re-enables an account the proxy disabled once it is healthy again: a balance above
 * {@code upstreams.min-balance-usd}, or, when the Platform API cannot tell (a key without billing access), a cheap
 * authenticated call to fal's queue (the status of a request id nobody has: 404 means the key is accepted). An
 * account an admin disabled stays off. Every change is audited and counted ({@link UpstreamAccounts#recordCheck}).
 * Several instances may run it at once: the re-enabling update is conditional, so it happens (and is audited) once.
 */
@ApplicationScoped
public class UpstreamRecovery {

    private static final Logger LOG = Logger.getLogger(UpstreamRecovery.class);
    /** A request id fal never gave out: its status is 404 for a key fal accepts, 401/403 for one it refuses. */
    static final String PROBE_REQUEST = "00000000-0000-0000-0000-000000000000";

    /** What one check found about an account. */
    public record Check(long id, BigDecimal balanceUsd, boolean healthy, boolean reenabled, String error) {
    }

    private final UpstreamAccounts accounts;
    private final FalPlatformClient platform;
    private final FalClient fal;
    private final UpstreamsConfig config;

    public UpstreamRecovery(UpstreamAccounts accounts, FalPlatformClient platform, FalClient fal, UpstreamsConfig config) {
        this.accounts = accounts;
        this.platform = platform;
        this.fal = fal;
        this.config = config;
    }

    @Scheduled(identity = "upstream-recheck", every = "${upstreams.recheck-interval}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        recheckAll();
    }

    /** One pass over every account (what the schedule runs). */
    public void recheckAll() {
        for (Account a : accounts.all()) {
            try {
                check(a.id());
            } catch (RuntimeException e) {
                LOG.warnf("upstream account %d not re-checked: %s", a.id(), e.getClass().getSimpleName());
            }
        }
    }

    /** Checks one account now (blocking): its balance, and re-enables it when the proxy disabled it and it is healthy. */
    public Check check(long id) {
        Account account = accounts.find(id).orElseThrow(
                () -> ApiException.notFound("upstream_not_found", "No upstream account with id " + id + "."));
        String key = accounts.platformKey(id);
        if (key == null) {
            return new Check(id, null, false, false, "the account's key is not readable here");
        }
        BigDecimal balance = null;
        String error = null;
        boolean healthy;
        try {
            FalBalance b = platform.balance(key);
            balance = b.currentBalance();
            healthy = balance.compareTo(config.minBalanceUsd()) > 0;
            if (!healthy) {
                error = "fal balance " + balance.toPlainString() + " USD";
            }
        } catch (ApiException e) {
            if (!wasDisabledByProxy(account)) {
                // an account in use: its balance stays as last read (and when)
                return new Check(id, null, account.enabled(), false, e.getMessage());
            }
            // no billing access with this key, or the Platform API is down: is the key itself accepted?
            int status = probeStatus(id);
            healthy = status == 404 || status / 100 == 2;
            error = healthy ? null : "balance not readable (" + e.getMessage() + "); fal's queue answered HTTP " + status;
        }
        boolean wasDisabledByProxy = wasDisabledByProxy(account);
        boolean reenabled = accounts.recordCheck(id, balance, healthy && wasDisabledByProxy,
                wasDisabledByProxy ? error : null);
        return new Check(id, balance, healthy, reenabled, error);
    }

    private static boolean wasDisabledByProxy(Account account) {
        return !account.enabled() && UpstreamAccounts.BY_PROXY.equals(account.disabledBy());
    }

    private int probeStatus(long id) {
        String url = fal.baseUrl() + "/fal-ai/any/requests/" + PROBE_REQUEST + "/status";
        try {
            // started from a plain thread: started on this (Vert.x worker) context, the answer would wait for it
            return java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> fal.send(id, HttpMethod.GET, url, null, null).toCompletionStage())
                    .thenCompose(stage -> stage)
                    .get(30, TimeUnit.SECONDS).status();
        } catch (Exception e) {
            return 0;
        }
    }
}
