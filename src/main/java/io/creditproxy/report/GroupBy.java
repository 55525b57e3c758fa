package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The dimensions of a usage report: any of tenant and model, and at most one of day and month. */
public record GroupBy(boolean tenant, boolean model, Granularity period) {

    public enum Granularity { day, month }

    /** No dimension: one row for the whole period. */
    public static final GroupBy NONE = new GroupBy(false, false, null);

    /** Comma-separated, any order, e.g. "tenant,model,day". Empty: one row for the whole period. */
    public static GroupBy parse(String text) {
        boolean tenant = false;
        boolean model = false;
        Granularity period = null;
        if (text != null) {
            for (String part : text.split(",")) {
                String p = part.trim().toLowerCase(Locale.ROOT);
                switch (p) {
                    case "" -> { }
                    case "tenant" -> tenant = true;
                    case "model" -> model = true;
                    case "day", "month" -> {
                        Granularity g = Granularity.valueOf(p);
                        if (period != null && period != g) {
                            throw QueryParams.invalid("group_by", "group_by may hold day or month, not both");
                        }
                        period = g;
                    }
                    default -> throw QueryParams.invalid("group_by",
                            "group_by must be a comma list of tenant, model, day, month (got '"
                                    + (p.length() > 20 ? p.substring(0, 20) + "..." : p) + "')");
                }
            }
        }
        return new GroupBy(tenant, model, period);
    }

    /** The dimensions in their fixed output order. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        if (tenant) {
            names.add("tenant");
        }
        if (model) {
            names.add("model");
        }
        if (period != null) {
            names.add(period.name());
        }
        return names;
    }

    public boolean any() {
        return tenant || model || period != null;
    }
}
