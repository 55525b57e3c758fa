package io.creditproxy.billing;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** JobStatus maps the jobs.status text column as the schema has it: the same names as its check constraint. */
@QuarkusTest
class JobStatusTest {

    @Inject
    EntityManager em;

    @Test
    void theEnumHasExactlyTheStatesTheSchemaAllows() {
        String check = (String) em.createNativeQuery(
                        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'jobs_status_check'")
                .getSingleResult();
        Set<String> allowed = new TreeSet<>();
        Matcher m = Pattern.compile("'([A-Z_]+)'").matcher(check);
        while (m.find()) {
            allowed.add(m.group(1));
        }
        assertThat(allowed).isEqualTo(new TreeSet<>(Arrays.stream(JobStatus.values()).map(JobStatus::name).toList()));
    }
}
