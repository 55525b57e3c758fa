package io.creditproxy.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Decides whether the proxy may call a tenant's webhook URL: at submit, and again before every delivery (DNS can
 * change in between). Only absolute http(s) URLs of at most 2048 characters, without user info, whose host resolves
 * only to public addresses: a tenant must not be able to make the proxy call into the operator's own network (SSRF).
 * {@code webhooks.allow-private-targets=true} (dev, tests) lifts the address rule, never the syntax rules.
 * Resolving a name blocks: call {@link #check} from a worker thread, never from an event loop.
 */
@ApplicationScoped
public class WebhookUrlGuard {

    static final int MAX_LENGTH = 2048;

    private final boolean allowPrivateTargets;

    @Inject
    public WebhookUrlGuard(WebhookConfig config) {
        this(config.allowPrivateTargets());
    }

    public WebhookUrlGuard(boolean allowPrivateTargets) {
        this.allowPrivateTargets = allowPrivateTargets;
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
            addresses = InetAddress.getAllByName(bareHost);
        } catch (UnknownHostException | SecurityException e) {
            throw new InvalidWebhookException("The webhook host " + host + " does not resolve.", false);
        }
        if (!allowPrivateTargets) {
            // every address must be public: a resolver may hand out any of them, and an attacker picks the mix
            for (InetAddress address : addresses) {
                String refusal = refusal(address);
                if (refusal != null) {
                    throw new InvalidWebhookException("The webhook host " + host + " resolves to " + refusal
                            + " (" + address.getHostAddress() + "); webhooks may only target public addresses.", false);
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

    /** Why the proxy must not call this address, or null when it is a public unicast address. */
    static String refusal(InetAddress address) {
        if (address instanceof Inet4Address) {
            return refusalV4(address.getAddress());
        }
        byte[] b = address.getAddress();
        if (isZero(b, 0, 16)) {
            return "the unspecified address";
        }
        if (isZero(b, 0, 15) && b[15] == 1) {
            return "a loopback address";
        }
        // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address
        boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = isZero(b, 0, 12);
        boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && isZero(b, 4, 12);
        if (mapped || compatible || nat64) {
            String v4 = refusalV4(Arrays.copyOfRange(b, 12, 16));
            return v4 == null ? null : v4 + " in IPv6 form";
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if ((first & 0xfe) == 0xfc) {
            return "a private (unique local) address";
        }
        if (first == 0xfe && (second & 0xc0) == 0x80) {
            return "a link-local address";
        }
        if (first == 0xfe && (second & 0xc0) == 0xc0) {
            return "a site-local address";
        }
        if (first == 0xff) {
            return "a multicast address";
        }
        return null;
    }

    private static String refusalV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 0) {
            return isZero(b, 0, 4) ? "the unspecified address" : "a reserved address";
        }
        if (a0 == 127) {
            return "a loopback address";
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return "a private address";
        }
        if (a0 == 169 && a1 == 254) {
            return "a link-local address";
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return "a shared (CGNAT) address";
        }
        if (a0 >= 224 && a0 <= 239) {
            return "a multicast address";
        }
        if (a0 >= 240) {
            return "a reserved address";
        }
        return null;
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
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
