package io.creditproxy.fal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.creditproxy.common.ApiException;
import io.creditproxy.common.Blocking;
import io.creditproxy.observability.Metrics;
import io.creditproxy.fal.UpstreamAccounts.Account;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.jboss.logging.Logger;

/**
 * A submit through the pool of fal accounts: sent with the key of an account chosen by weight
 * ({@link UpstreamAccounts#choose}); when fal refuses it for a reason of the account (exhausted balance or locked
 * user: 403; invalid key: 401; rate limited: 429), the account is marked (disabled with fal's reason, or cooled down
 * for a 429) and the same submit goes to the next account, before the tenant gets any answer. The tenant's one
 * reservation covers every attempt (nothing is charged here). Errors of the request itself (422, 400, 5xx, a full
 * queue the tenant asked to cap) are answered as fal gave them, never retried elsewhere. With no account configured
 * the primary key (FAL_KEY or the sandbox's) is used as before the pool.
 */
@ApplicationScoped
public class UpstreamPool {

    private static final Logger LOG = Logger.getLogger(UpstreamPool.class);

    /**
     * fal's answer to a submit, from the account that gave it.
     *
     * @param upstreamId the account whose answer this is (null: the primary key, no account configured)
     * @param attempts   the accounts that refused it before, with fal's reason ("id:status:reason; ..."), or null
     */
    public record Submitted(Long upstreamId, UpstreamResponse answer, String attempts) {
    }

    /** No account could take the submit: the tenant gets 503 (and its refund); {@code attempts} as above. */
    public static final class NoAccountException extends ApiException {
        private final String attempts;

        NoAccountException(String attempts) {
            super(503, "no_upstream_available",
                    "No fal account can take this request now (each was refused or is disabled); nothing was charged. "
                            + "Retry later.");
            this.attempts = attempts;
        }

        public String attempts() {
            return attempts;
        }
    }

    /**
     * What a submit tried so far, for its caller whatever the outcome: the account asked last (whose key fal may have
     * accepted the submit with even when no answer came: a ghost is asked about with that key) and the refusals.
     */
    public static final class Tries {
        private volatile Long last;
        private final StringJoiner refusals = new StringJoiner("; ");

        /** The account asked last, or null (none, or the primary key). */
        public Long account() {
            return last;
        }

        /** "id:status:reason; ..." of the accounts that refused it, or null. */
        public synchronized String refusals() {
            return refusals.length() == 0 ? null : refusals.toString();
        }

        synchronized void refused(long id, int status, String reason) {
            refusals.add(id + ":" + status + ":" + reason);
        }
    }

    /** Why fal refused a submit, when the reason is the account's. */
    enum Refusal { DISABLE, COOL_DOWN }

    private final FalClient fal;
    private final UpstreamAccounts accounts;
    private final Metrics metrics;
    private final Vertx vertx;
    private final ObjectMapper json;

    public UpstreamPool(FalClient fal, UpstreamAccounts accounts, Metrics metrics, Vertx vertx, ObjectMapper json) {
        this.fal = fal;
        this.accounts = accounts;
        this.metrics = metrics;
        this.vertx = vertx;
        this.json = json;
    }

    /**
     * Sends the submit to an account of the price group's pool, failing over as described above. Fails with
     * {@link NoAccountException} when no account is left, or with the transport failure of the last attempt.
     */
    public Future<Submitted> submit(Long groupId, String url, MultiMap tenantHeaders, Buffer body, Tries tries) {
        if (accounts.none()) {
            return fal.send(null, HttpMethod.POST, url, tenantHeaders, body).map(answer -> new Submitted(null, answer, null));
        }
        return attempt(groupId, url, tenantHeaders, body, new HashSet<>(), tries);
    }

    private Future<Submitted> attempt(Long groupId, String url, MultiMap headers, Buffer body, Set<Long> tried,
                                      Tries tries) {
        Optional<Account> chosen = accounts.choose(groupId, tried);
        if (chosen.isEmpty()) {
            if (!tried.isEmpty()) {
                metrics.upstreamFailover("refused", false);
            }
            String log = tries.refusals();
            LOG.warnf("submit: no fal account can take it (group %s; tried: %s)", groupId, log == null ? "none usable" : log);
            return Future.failedFuture(new NoAccountException(log));
        }
        Account account = chosen.get();
        tried.add(account.id());
        tries.last = account.id();
        return fal.send(account.id(), HttpMethod.POST, url, headers, body).compose(answer -> {
            Refusal refusal = refusal(answer);
            if (refusal == null) {
                if (tries.refusals() != null) {
                    metrics.upstreamFailover("refused", true);
                }
                return Future.succeededFuture(new Submitted(account.id(), answer, tries.refusals()));
            }
            String reason = reason(answer);
            tries.refused(account.id(), answer.status(), reason);
            mark(account, refusal, answer, reason);
            return attempt(groupId, url, headers, body, tried, tries);
        });
    }

    /** Marks the account on a worker thread; this process stops choosing it at once (the snapshot changes first). */
    private void mark(Account account, Refusal refusal, UpstreamResponse answer, String reason) {
        if (refusal == Refusal.COOL_DOWN) {
            Instant until = Instant.now().plus(accounts.cooldownFor(answer.headers().get("Retry-After")));
            Blocking.run(vertx, () -> {
                accounts.coolDown(account.id(), until, "HTTP 429: " + reason);
                return null;
            }).onFailure(t -> LOG.warnf("upstream account %d: cool-down not stored: %s", account.id(),
                    t.getClass().getSimpleName()));
        } else {
            Blocking.run(vertx, () -> {
                accounts.disableByProxy(account.id(), "HTTP " + answer.status() + ": " + reason);
                return null;
            }).onFailure(t -> LOG.warnf("upstream account %d: disabling not stored: %s", account.id(),
                    t.getClass().getSimpleName()));
        }
    }

    /** Whether fal's answer refuses the account rather than the request (null: the request's answer, relayed). */
    static Refusal refusal(UpstreamResponse answer) {
        int status = answer.status();
        if (status == 401 || status == 403) {
            return Refusal.DISABLE;
        }
        if (status == 429) {
            // fal_max_queue_length, which the tenant set: the tenant's answer, not the account's rate limit
            String text = answer.bodyText().toLowerCase(Locale.ROOT);
            return text.contains("maximum queue length") ? null : Refusal.COOL_DOWN;
        }
        return null;
    }

    /** fal's reason ({@code detail} of its error body), short; never more than fal said. */
    private String reason(UpstreamResponse answer) {
        try {
            JsonNode body = json.readTree(answer.bodyText());
            JsonNode detail = body == null ? null : body.get("detail");
            if (detail != null && detail.isTextual()) {
                return clip(detail.asText());
            }
            if (body != null && body.hasNonNull("message")) {
                return clip(body.get("message").asText());
            }
        } catch (Exception e) {
            // not JSON
        }
        return answer.status() == 401 ? "invalid key" : answer.status() == 429 ? "rate limited" : "refused";
    }

    private static String clip(String s) {
        String one = s.replace('\n', ' ').replace(';', ',');
        return one.length() <= 200 ? one : one.substring(0, 200);
    }
}
