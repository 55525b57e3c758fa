package io.creditproxy.report;

import io.creditproxy.common.QueryParams;
import io.creditproxy.common.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Time zones a report may be grouped in: IANA names that both Java (period bounds) and PostgreSQL
 * (day and month buckets, {@code AT TIME ZONE}) know. Offsets such as "+08:00" are refused because
 * PostgreSQL reads a bare offset in POSIX sense (east and west swapped), which would silently shift days.
 */
@ApplicationScoped
public class TimeZones {

    private final EntityManager em;
    private volatile Set<String> postgresNames;

    public TimeZones(EntityManager em) {
        this.em = em;
    }

    /** @throws ApiException 422 for an unknown zone or an offset */
    public ZoneId require(String name) {
        String n = name == null ? "" : name.trim();
        ZoneId zone;
        try {
            zone = ZoneId.of(n);
        } catch (DateTimeException e) {
            throw QueryParams.invalid("tz", "tz must be an IANA time zone such as Asia/Shanghai or UTC (got '" + shorten(n) + "')");
        }
        boolean region = !(zone instanceof ZoneOffset) && !n.startsWith("UTC+") && !n.startsWith("UTC-") && !n.startsWith("GMT+") && !n.startsWith("GMT-");
        if (!region || !postgresNames().contains(n)) {
            throw QueryParams.invalid("tz", "tz must be an IANA time zone such as Asia/Shanghai or UTC (got '" + shorten(n) + "')");
        }
        return zone;
    }

    @Transactional
    Set<String> postgresNames() {
        Set<String> names = postgresNames;
        if (names == null) {
            @SuppressWarnings("unchecked")
            List<String> rows = em.createNativeQuery("SELECT name FROM pg_timezone_names").getResultList();
            names = Set.copyOf(new HashSet<>(rows));
            postgresNames = names;
        }
        return names;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
