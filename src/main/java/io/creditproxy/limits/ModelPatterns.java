package io.creditproxy.limits;

import io.creditproxy.common.ApiException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A key's allowed models: model ids where {@code *} stands for any run of characters, slashes included, so
 * {@code fal-ai/flux-1/*} allows fal-ai/flux-1/dev and fal-ai/flux-1/dev/redux but not fal-ai/flux-pro/kontext.
 * Stored as one comma list (model ids have no commas).
 */
public final class ModelPatterns {

    public static final int MAX_PATTERNS = 100;
    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9._*-]+(/[A-Za-z0-9._*-]+)*");

    private ModelPatterns() {
    }

    /** true when a pattern list (null = every model) allows the model */
    public static boolean allows(List<String> patterns, String modelId) {
        if (patterns == null) {
            return true;
        }
        for (String p : patterns) {
            if (matches(p, modelId)) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(String pattern, String modelId) {
        if (modelId == null) {
            return false;
        }
        String[] parts = pattern.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(regex.toString()).matcher(modelId).matches();
    }

    public static List<String> split(String stored) {
        if (stored == null || stored.isBlank()) {
            return null;
        }
        return List.copyOf(Arrays.asList(stored.split(",")));
    }

    /**
     * @param patterns the admin's list; null = every model
     * @return the stored form (null for every model)
     * @throws ApiException 422 for an empty list or a malformed pattern
     */
    public static String normalize(List<String> patterns) {
        if (patterns == null) {
            return null;
        }
        if (patterns.isEmpty() || patterns.size() > MAX_PATTERNS) {
            throw ApiException.invalidParameter("allowed_models must list 1-" + MAX_PATTERNS
                    + " model patterns such as fal-ai/flux-1/*, or be null for every model");
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String p : patterns) {
            String t = p == null ? "" : p.trim();
            if (t.length() > 200 || !SYNTAX.matcher(t).matches()) {
                throw ApiException.invalidParameter("allowed_models: '" + t + "' is not a model id pattern such as fal-ai/flux-1/*");
            }
            out.add(t);
        }
        return String.join(",", new ArrayList<>(out));
    }
}
