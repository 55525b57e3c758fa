package io.creditproxy.pricing;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The price list as CSV: the shipped data file {@code pricing/models.csv} and the admins' import/export format.
 * One header line with the {@code models} table's column names, one model per line, empty cell = null.
 * Reading validates every row ({@link PriceRule#parse}) and names the line of the first bad one.
 */
public final class PriceListCsv {

    public static final List<String> COLUMNS = List.of("id", "unit", "usd_price", "quantity_param", "default_quantity",
            "allowed_quantities", "min_quantity", "max_quantity", "clip_seconds", "resolution_param",
            "default_resolution", "resolution_factors", "size_param", "default_size", "multiplier_param", "max_multiplier",
            "description", "enabled");
    // usd_price is a required column but may be empty: an unpriced model (enabled=false) is listed, never served
    private static final Set<String> REQUIRED = Set.of("id", "unit", "usd_price", "quantity_param", "default_quantity");

    private static final CSVFormat WRITE = CSVFormat.DEFAULT.builder()
            .setHeader(COLUMNS.toArray(String[]::new))
            .setRecordSeparator('\n')
            .get();
    private static final CSVFormat READ = CSVFormat.DEFAULT.builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .setIgnoreEmptyLines(true)
            .setTrim(true)
            .get();

    private PriceListCsv() {
    }

    /** @throws IllegalArgumentException naming the line, for a bad header, row or a repeated id */
    public static List<PriceListEntry> read(Reader in) {
        try (CSVParser parser = READ.parse(in)) {
            Map<String, Integer> header = parser.getHeaderMap();
            for (String name : header.keySet()) {
                if (!COLUMNS.contains(name)) {
                    throw new IllegalArgumentException("price list: unknown column '" + name + "' (columns: " + String.join(",", COLUMNS) + ")");
                }
            }
            for (String name : REQUIRED) {
                if (!header.containsKey(name)) {
                    throw new IllegalArgumentException("price list: missing column '" + name + "'");
                }
            }
            List<PriceListEntry> out = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            for (CSVRecord r : parser) {
                String where = "price list line " + parser.getCurrentLineNumber();
                PriceListEntry e;
                try {
                    e = entry(r);
                    PriceRule.validate(e);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ": " + ex.getMessage());
                }
                if (!ids.add(e.id())) {
                    throw new IllegalArgumentException(where + ": model " + e.id() + " appears twice");
                }
                out.add(e);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(List<PriceListEntry> entries, Appendable out) {
        try (CSVPrinter printer = new CSVPrinter(out, WRITE)) {
            for (PriceListEntry e : entries) {
                printer.printRecord(e.id(), e.unit(), e.usdPrice() == null ? null : e.usdPrice().toPlainString(),
                        e.quantityParam(), e.defaultQuantity(), e.allowedQuantities(), e.minQuantity(), e.maxQuantity(),
                        e.clipSeconds(), e.resolutionParam(), e.defaultResolution(), e.resolutionFactors(),
                        e.sizeParam(), e.defaultSize(), e.multiplierParam(), e.maxMultiplier(), e.description(),
                        e.enabled());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String write(List<PriceListEntry> entries) {
        StringBuilder sb = new StringBuilder();
        write(entries, sb);
        return sb.toString();
    }

    private static PriceListEntry entry(CSVRecord r) {
        return new PriceListEntry(
                text(r, "id"),
                text(r, "unit"),
                decimal(r, "usd_price"),
                text(r, "quantity_param"),
                integer(r, "default_quantity") == null ? 0 : integer(r, "default_quantity"),
                text(r, "allowed_quantities"),
                integer(r, "min_quantity"),
                integer(r, "max_quantity"),
                integer(r, "clip_seconds"),
                text(r, "resolution_param"),
                text(r, "default_resolution"),
                text(r, "resolution_factors"),
                text(r, "description"),
                bool(r, "enabled"),
                text(r, "size_param"),
                text(r, "default_size"),
                text(r, "multiplier_param"),
                integer(r, "max_multiplier"));
    }

    private static String text(CSVRecord r, String column) {
        if (!r.isMapped(column) || !r.isSet(column)) {
            return null;
        }
        String v = r.get(column);
        return v == null || v.isEmpty() ? null : v;
    }

    private static BigDecimal decimal(CSVRecord r, String column) {
        String v = text(r, column);
        try {
            return v == null ? null : new BigDecimal(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " must be a decimal number (got '" + v + "')");
        }
    }

    private static Integer integer(CSVRecord r, String column) {
        String v = text(r, column);
        try {
            return v == null ? null : Integer.valueOf(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(column + " must be a whole number (got '" + v + "')");
        }
    }

    /** Absent or empty = enabled: a model on the list is for sale unless it says otherwise. */
    private static boolean bool(CSVRecord r, String column) {
        String v = text(r, column);
        if (v == null || v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(column + " must be true or false (got '" + v + "')");
    }
}
