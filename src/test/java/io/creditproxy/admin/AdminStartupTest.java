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
    }

    @Test
    void aMissingFirstAdminIsOnlyAWarningInDevAndTest() {
        assertThat(AdminStartup.devOrTest(List.of("dev"))).isTrue();
        assertThat(AdminStartup.devOrTest(List.of("test"))).isTrue();
        assertThat(AdminStartup.devOrTest(List.of("prod"))).isFalse();
        assertThat(AdminStartup.devOrTest(List.of("dev", "prod"))).isFalse();
    }
}
