package io.creditproxy.proxy;

import io.creditproxy.config.ProxyConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

/** The base URL tenants reach the proxy at: {@code PROXY_PUBLIC_URL}, else the scheme and host of the request. */
@ApplicationScoped
public class PublicUrl {

    private final String configured;

    public PublicUrl(ProxyConfig config) {
        this.configured = config.publicUrl().filter(s -> !s.isBlank()).map(UrlRewriter::stripSlash).orElse(null);
    }

    public String of(HttpServerRequest request) {
        if (configured != null) {
            return configured;
        }
        String authority = request.authority() != null ? request.authority().toString() : request.localAddress().toString();
        return request.scheme() + "://" + authority;
    }
}
