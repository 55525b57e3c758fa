package io.creditproxy.report;

import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * CSV for spreadsheets, written by Apache Commons CSV (RFC 4180 quoting, CRLF): UTF-8 with a byte order mark
 * (so that Excel reads tenant names in Chinese correctly) and a header row. Text cells that a spreadsheet would
 * run as a formula (=, +, -, @ at the start) are prefixed with an apostrophe; numbers are never touched.
 */
public final class CsvExport {

    public static final String MEDIA_TYPE = "text/csv; charset=UTF-8";
    private static final String BOM = "\uFEFF";

    private CsvExport() {
    }

    public static String usage(UsageReport report) {
        return usage(report, UsageFigures.COLUMNS, UsageFigures::cells);
    }

    /** A tenant's usage report: its own jobs and credits only (see {@link TenantUsageReport}). */
    public static String tenantUsage(UsageReport report) {
        return usage(report, TenantUsageReport.Figures.COLUMNS, f -> TenantUsageReport.Figures.of(f).cells());
    }

    private static String usage(UsageReport report, String[] columns, java.util.function.Function<UsageFigures, Object[]> cellsOf) {
        List<String> header = new ArrayList<>();
        GroupBy dims = GroupBy.parse(String.join(",", report.groupBy()));
        if (dims.tenant()) {
            header.add("tenant_id");
            header.add("tenant_name");
        }
        if (dims.model()) {
            header.add("model");
        }
        if (dims.period() != null) {
            header.add("period");
        }
        header.addAll(List.of(columns));
        int dimColumns = header.size() - columns.length;
        return write(header, printer -> {
            if (dimColumns == 0) {
                // no dimensions: the one row is the total of the period
                printer.printRecord(cellsOf.apply(report.totals()));
                return;
            }
            for (UsageRow row : report.rows()) {
                List<Object> cells = new ArrayList<>();
                if (dims.tenant()) {
                    cells.add(row.tenantId());
                    cells.add(text(row.tenantName()));
                }
                if (dims.model()) {
                    cells.add(text(row.model()));
                }
                if (dims.period() != null) {
                    cells.add(row.period());
                }
                cells.addAll(List.of(cellsOf.apply(row.figures())));
                printer.printRecord(cells);
            }
            // the totals row: "TOTAL" in the first dimension column, the other dimension columns empty
            List<Object> cells = new ArrayList<>();
            for (int i = 0; i < dimColumns; i++) {
                cells.add(i == 0 ? "TOTAL" : "");
            }
            cells.addAll(List.of(cellsOf.apply(report.totals())));
            printer.printRecord(cells);
        });
    }

    /** Opening balance, every entry, closing balance: the amount column sums from opening to closing. */
    public static String statement(Statement s) {
        List<String> header = List.of("date", "entry_id", "kind", "job_id", "model", "reason", "created_by", "amount",
                "balance_after");
        return write(header, printer -> {
            printer.printRecord(s.from(), "", "opening_balance", "", "", "", "", "", s.openingBalance());
            for (Statement.Entry e : s.entries()) {
                printer.printRecord(e.createdAt(), e.id(), e.kind(), e.jobId() == null ? "" : e.jobId(), text(e.model()),
                        text(e.reason()), text(e.createdBy()), e.amount(), e.balanceAfter());
            }
            printer.printRecord(s.to(), "", "closing_balance", "", "", "", "", s.totalCredits(), s.closingBalance());
            if (s.usage() != null) {
                // the period's money (CNY, not credits) after the balance rows: what it earned and what fal cost
                printer.printRecord(s.to(), "", "revenue_cny", "", "", "", "", s.usage().revenueCny().toPlainString(), "");
                printer.printRecord(s.to(), "", "fal_cost_cny", "", "", "", "", s.usage().falCostCny().toPlainString(), "");
                printer.printRecord(s.to(), "", "margin_cny", "", "", "", "", s.usage().marginCny().toPlainString(), "");
            }
        });
    }

    /**
     * One row per listed job or unknown request, with its list in {@code category}, then one {@code total_*} row per
     * list and the period's expected / actual / difference rows (USD in {@code fal_cost_usd}).
     */
    public static String reconciliation(ReconciliationReport r) {
        List<String> header = List.of("category", "job_id", "fal_request_id", "tenant_id", "model", "status", "ghost",
                "at", "credits_charged", "expected_fal_cost_usd", "fal_cost_usd", "fal_units", "fal_unit_price",
                "fal_cost_credits", "shortfall_credits", "count");
        return write(header, printer -> {
            jobLines(printer, "under_priced", r.underPriced());
            jobLines(printer, "billed_but_refunded", r.billedButRefunded());
            for (ReconciliationReport.UnknownRequest u : r.billedUnknown()) {
                printer.printRecord("billed_unknown", "", text(u.requestId()), "", text(u.endpointId()), "", "",
                        u.billedAt(), "", "", plain(u.falCostUsd()), plain(u.falUnits()), plain(u.falUnitPrice()), "", "", "");
            }
            jobLines(printer, "charged_not_billed", r.chargedNotBilled());
            ReconciliationReport.Totals t = r.totals();
            total(printer, "total_under_priced", t.underPriced());
            total(printer, "total_billed_but_refunded", t.billedButRefunded());
            total(printer, "total_billed_unknown", t.billedUnknown());
            total(printer, "total_charged_not_billed", t.chargedNotBilled());
            printer.printRecord("period_expected_fal_cost", "", "", "", "", "", "", r.from() + "/" + r.to(), "",
                    plain(t.expectedFalCostUsd()), "", "", "", "", "", t.jobs());
            printer.printRecord("period_actual_fal_cost", "", "", "", "", "", "", r.from() + "/" + r.to(), "", "",
                    plain(t.actualFalCostUsd()), "", "", "", "", t.jobsBilledByFal());
            printer.printRecord("period_difference", "", "", "", "", "", "", r.from() + "/" + r.to(), "", "",
                    plain(t.differenceUsd()), "", "", "", "", "");
        });
    }

    private static void jobLines(CSVPrinter printer, String category, List<ReconciliationReport.JobLine> lines)
            throws IOException {
        for (ReconciliationReport.JobLine l : lines) {
            printer.printRecord(category, l.jobId(), text(l.falRequestId()), l.tenantId(), text(l.model()), l.status(),
                    l.ghost(), l.createdAt(), l.creditsCharged(), plain(l.expectedFalCostUsd()), plain(l.falCostUsd()),
                    plain(l.falUnits()), plain(l.falUnitPrice()), l.falCostCredits() == null ? "" : l.falCostCredits(),
                    l.shortfallCredits() == null ? "" : l.shortfallCredits(), "");
        }
    }

    private static void total(CSVPrinter printer, String name, ReconciliationReport.Category c) throws IOException {
        printer.printRecord(name, "", "", "", "", "", "", "", c.creditsCharged(), plain(c.expectedFalCostUsd()),
                plain(c.falCostUsd()), "", "", c.falCostCredits(), "", c.count());
    }

    private static String plain(java.math.BigDecimal value) {
        return value == null ? "" : value.toPlainString();
    }

    public static Response response(String csv, String filename) {
        return Response.ok(csv.getBytes(StandardCharsets.UTF_8), MEDIA_TYPE)
                .header("Content-Disposition", "attachment; filename=\"" + filename + "\"")
                .build();
    }

    /** A spreadsheet must show text as text: neutralise formula starts (CSV injection). */
    static String text(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        char first = value.charAt(0);
        return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r'
                ? "'" + value : value;
    }

    private interface Body {
        void print(CSVPrinter printer) throws IOException;
    }

    private static String write(List<String> header, Body body) {
        StringBuilder out = new StringBuilder(BOM);
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(header.toArray(String[]::new)).get();
        try (CSVPrinter printer = new CSVPrinter(out, format)) {
            body.print(printer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
