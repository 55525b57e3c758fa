package io.creditproxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The start-up rules of production, checked without starting an application (the JWT keys: AdminJwtKeysTest). */
class AdminStartupTest {

    @Test
    void bootstrapNeedsAUsernameAndAStrongEnoughPassword() {
        assertThat(AdminStartup.bootstrapProblem(Optional.empty(), Optional.empty())).isNotNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.empty())).isNotNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.of("short"))).contains("at least 12");
        assertThat(AdminStartup.bootstrapProblem(Optional.of("bad name"), Optional.of("long-enough-pw"))).isNotNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.of("long-enough-pw"))).isNull();
        // long enough but common: production refuses to start with it
        for (String common : List.of("password1234", "qwertyuiop123", "Password123!", "aaaaaaaaaaaa", "123456789012")) {
            assertThat(AdminStartup.bootstrapProblem(Optional.of("root"), Optional.of(common)))
                    .as(common).contains("too easy to guess");
        }
        // the documented dev and test defaults pass the same rule
        assertThat(AdminStartup.bootstrapProblem(Optional.of("admin"), Optional.of("admin-dev-password"))).isNull();
        assertThat(AdminStartup.bootstrapProblem(Optional.of("admin"), Optional.of("admin-test-password"))).isNull();
    }

    @Test
    void aMissingFirstAdminIsOnlyAWarningInDevAndTest() {
        assertThat(AdminStartup.devOrTest(List.of("dev"))).isTrue();
        assertThat(AdminStartup.devOrTest(List.of("test"))).isTrue();
        assertThat(AdminStartup.devOrTest(List.of("prod"))).isFalse();
        assertThat(AdminStartup.devOrTest(List.of("dev", "prod"))).isFalse();
    }
}
