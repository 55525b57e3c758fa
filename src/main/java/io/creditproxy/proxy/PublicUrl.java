package io.creditproxy.proxy;

import io.creditproxy.common.ApiException;
import io.creditproxy.config.ProxyConfig;
import io.creditproxy.fal.UrlRewriter;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The base URL tenants reach the proxy at: {@code PROXY_PUBLIC_URL}, else the scheme and host of the request. It goes
 * into every rewritten fal link and into the proxy's own fal webhook URL, so in production it never comes from a Host
 * header nobody vouched for: the proxy refuses to start without {@code PROXY_PUBLIC_URL} or {@code PROXY_ALLOWED_HOSTS},
 * and with the allow-list a passthrough request naming any other host gets 421 before anything is charged.
 * Dev and tests ({@code proxy.trust-request-host=true}) take the request's host as it comes.
 */
@ApplicationScoped
public class PublicUrl {

    private static final Logger LOG = Logger.getLogger(PublicUrl.class);

    private final String configured;
    private final List<AllowedHost> allowedHosts;
    private final boolean trustRequestHost;

    @Inject
    public PublicUrl(ProxyConfig config) {
        this(config.publicUrl(), config.allowedHosts().orElse(List.of()), config.trustRequestHost());
    }

    PublicUrl(Optional<String> publicUrl, List<String> allowedHosts, boolean trustRequestHost) {
        this.configured = publicUrl.filter(s -> !s.isBlank()).map(String::trim).map(UrlRewriter::stripSlash).orElse(null);
        this.allowedHosts = allowedHosts.stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(AllowedHost::parse).toList();
        this.trustRequestHost = trustRequestHost;
    }

    /** Start-up check: a production start without a trustworthy public URL stops here, saying what to set. */
    void validate(@Observes @jakarta.annotation.Priority(100) StartupEvent event) {
        validate();
        if (configured != null) {
            LOG.infof("Public URL: %s", configured);
        } else if (!allowedHosts.isEmpty()) {
            LOG.infof("Public URL: from the request's host, one of %s", allowedHosts);
        } else {
            LOG.info("Public URL: from the request's host, unchecked (proxy.trust-request-host; dev and tests only)");
        }
    }

    void validate() {
        if (configured != null) {
            String problem = problemWith(configured);
            if (problem != null) {
                throw new IllegalStateException("PROXY_PUBLIC_URL " + problem
                        + ": give the base URL tenants reach the proxy at, e.g. https://api.example.com");
            }
        }
        if (configured == null && allowedHosts.isEmpty() && !trustRequestHost) {
            throw new IllegalStateException("Set PROXY_PUBLIC_URL (the base URL tenants reach the proxy at, e.g. "
                    + "https://api.example.com) or PROXY_ALLOWED_HOSTS (the host names it answers to, comma-separated). "
                    + "Without either, the proxy's own fal webhook URL and every rewritten link would be built from the "
                    + "Host header of the request, which the client chooses.");
        }
    }

    /**
     * Refuses (421) a request whose host is not one the proxy answers to. Called by the passthrough before anything
     * else, so that no URL is ever built from an untrusted host and nothing is charged for such a request.
     */
    public void check(HttpServerRequest request) {
        if (allowedHosts.isEmpty()) {
            return;
        }
        HostAndPort authority = request.authority();
        if (authority == null || !allows(authority.host(), authority.port())) {
            throw new ApiException(421, "misdirected_request",
                    "This proxy does not answer to the host named by the request; use the proxy's public address.");
        }
    }

    /** True when the host (and port; -1 when the request named none) is in the allow-list. */
    boolean allows(String host, int port) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = normalize(host);
        return allowedHosts.stream().anyMatch(a -> a.host().equals(name) && (a.port() < 0 || a.port() == port));
    }

    /** One entry of PROXY_ALLOWED_HOSTS: {@code name}, {@code name:port}, {@code [v6]} or {@code [v6]:port}. */
    record AllowedHost(String host, int port) {
        static AllowedHost parse(String entry) {
            int colon = entry.lastIndexOf(':');
            boolean hasPort = entry.startsWith("[") ? colon > entry.indexOf(']') : colon > 0 && entry.indexOf(':') == colon;
            if (!hasPort) {
                return new AllowedHost(normalize(entry), -1);
            }
            try {
                return new AllowedHost(normalize(entry.substring(0, colon)), Integer.parseInt(entry.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalStateException("PROXY_ALLOWED_HOSTS: '" + entry + "' is not a host name or host:port");
            }
        }

        @Override
        public String toString() {
            return port < 0 ? host : host + ":" + port;
        }
    }

    public String of(HttpServerRequest request) {
        if (configured != null) {
            return configured;
        }
        // the passthrough called check() first; this guards any other caller
        check(request);
        String authority = request.authority() != null ? request.authority().toString() : request.localAddress().toString();
        return request.scheme() + "://" + authority;
    }

    /** Lower case, without IPv6 brackets and without a trailing dot (an absolute DNS name names the same host). */
    private static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** What is wrong with a configured public URL, or null. */
    static String problemWith(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "is not a valid URL";
        }
        if (uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
            return "must start with https:// or http://";
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return "must name a host";
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "must not carry a user name, a query or a fragment";
        }
        return null;
    }
}
