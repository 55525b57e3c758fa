package io.creditproxy.fal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites fal queue URLs in an answer to the proxy's public base URL, so the tenant keeps talking to
 * the proxy. Rewrites fal's queue hosts and the configured upstream base, in plain and in JSON-escaped
 * ({@code https:\/\/...}) form.
 */
public final class UrlRewriter {

    /** fal's queue hosts, always rewritten whatever the configured upstream. */
    public static final List<String> FAL_QUEUE_BASES = List.of("https://queue.fal.run", "https://queue.falrun.com");

    private final List<String> from;

    public UrlRewriter(String upstreamBase) {
        Set<String> bases = new LinkedHashSet<>();
        bases.add(stripSlash(upstreamBase));
        bases.addAll(FAL_QUEUE_BASES);
        List<String> all = new ArrayList<>();
        for (String base : bases) {
            all.add(base);
            all.add(base.replace("/", "\\/"));
        }
        this.from = List.copyOf(all);
    }

    public String rewrite(String text, String publicBase) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String base = stripSlash(publicBase);
        String escapedBase = base.replace("/", "\\/");
        String out = text;
        for (int i = 0; i < from.size(); i++) {
            String target = from.get(i);
            if (out.contains(target)) {
                out = out.replace(target, i % 2 == 0 ? base : escapedBase);
            }
        }
        return out;
    }

    /** True when the text still holds a URL that should have been rewritten (used by tests and guards). */
    public boolean containsUpstreamUrl(String text) {
        for (String target : from) {
            if (text.contains(target)) {
                return true;
            }
        }
        return false;
    }

    public static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
