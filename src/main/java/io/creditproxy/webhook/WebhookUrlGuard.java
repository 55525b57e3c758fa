package io.creditproxy.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Decides whether the proxy may call a tenant's webhook URL: at submit, and again before every delivery (DNS can
 * change in between). Only absolute http(s) URLs of at most 2048 characters, without user info, whose host resolves
 * only to public addresses: none in any block of IANA's special-purpose registries ({@link SpecialPurposeAddresses}),
 * so that a tenant cannot make the proxy call into the operator's own network (SSRF). Every address the name resolves
 * to is checked, and the sender connects to the checked address and never follows a redirect ({@link WebhookSender}).
 * {@code webhooks.allow-private-targets=true} (dev, tests) lifts the address rule, never the syntax rules.
 * Resolving a name blocks: call {@link #check} from a worker thread, never from an event loop.
 */
@ApplicationScoped
public class WebhookUrlGuard {

    static final int MAX_LENGTH = 2048;

    /** Name resolution, replaceable so that tests can check decisions about public names without any DNS or traffic. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowPrivateTargets;
    private final Resolver resolver;

    @Inject
    public WebhookUrlGuard(WebhookConfig config) {
        this(config.allowPrivateTargets());
    }

    public WebhookUrlGuard(boolean allowPrivateTargets) {
        this(allowPrivateTargets, InetAddress::getAllByName);
    }

    public WebhookUrlGuard(boolean allowPrivateTargets, Resolver resolver) {
        this.allowPrivateTargets = allowPrivateTargets;
        this.resolver = resolver;
    }

    /**
     * @return the URL and the address to connect to
     * @throws InvalidWebhookException 422 {@code invalid_webhook} saying why the URL is refused
     */
    public WebhookTarget check(String url) {
        URI uri = parse(url);
        String host = uri.getHost();
        // URI keeps the brackets of an IPv6 literal; the resolver wants them off
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bareHost);
        } catch (UnknownHostException | SecurityException e) {
            addresses = null;
        }
        if (addresses == null || addresses.length == 0) {
            throw new InvalidWebhookException("The webhook host " + host + " does not resolve.", false);
        }
        if (!allowPrivateTargets) {
            // every address must be public: a resolver may hand out any of them, and an attacker picks the mix
            for (InetAddress address : addresses) {
                String refusal = refusal(address);
                if (refusal != null) {
                    throw new InvalidWebhookException("The webhook host " + host + " resolves to "
                            + address.getHostAddress() + ", " + refusal + "; webhooks may only target public addresses.",
                            false);
                }
            }
        }
        boolean tls = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        return new WebhookTarget(uri, bareHost, port, tls, addresses[0]);
    }

    /** The syntax rules alone (no DNS). */
    static URI parse(String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidWebhookException("The webhook URL is empty.", true);
        }
        if (url.length() > MAX_LENGTH) {
            throw new InvalidWebhookException("The webhook URL is longer than " + MAX_LENGTH + " characters.", true);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidWebhookException("The webhook URL is not a valid URL.", true);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw new InvalidWebhookException("The webhook URL must be an absolute http or https URL.", true);
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidWebhookException("The webhook URL must not carry a user name or password.", true);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidWebhookException("The webhook URL must name a valid host.", true);
        }
        return uri;
    }

    /**
     * Why the proxy must not call this address (the special-purpose block and its IANA name), or null when it is a
     * public unicast address. The blocks are tabulated in {@link SpecialPurposeAddresses}.
     */
    static String refusal(InetAddress address) {
        return SpecialPurposeAddresses.refusal(address);
    }

    /** The host of a URL for logs and admin views: query strings and paths may carry the tenant's tokens. */
    public static String hostOf(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null) {
                return uri.getHost().toLowerCase(Locale.ROOT);
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall through: never echo an unparseable URL, it may be all token
        }
        return "(invalid host)";
    }
}
