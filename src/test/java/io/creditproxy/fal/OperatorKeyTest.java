package io.creditproxy.fal;

import static io.creditproxy.config.FalConfig.Upstream.fal;
import static io.creditproxy.config.FalConfig.Upstream.sandbox;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the proxy sends as {@code Authorization: Key ...} to its upstream. */
class OperatorKeyTest {

    @Test
    void falGetsFalKey() {
        assertThat(FalClient.operatorKey(fal, Optional.of("id:secret"), Optional.empty())).isEqualTo("id:secret");
    }

    @Test
    void theSandboxWorksWithoutFalKey() {
        assertThat(FalClient.operatorKey(sandbox, Optional.empty(), Optional.empty()))
                .isEqualTo(FalClient.SANDBOX_PLACEHOLDER_KEY);
        assertThat(FalClient.operatorKey(sandbox, Optional.of(" "), Optional.empty()))
                .isEqualTo(FalClient.SANDBOX_PLACEHOLDER_KEY);
        assertThat(FalClient.operatorKey(sandbox, Optional.empty(), Optional.of("demanded:key")))
                .as("the key the sandbox demands (sandbox.required-key)").isEqualTo("demanded:key");
    }

    @Test
    void aConfiguredFalKeyIsSentToTheSandboxToo() {
        assertThat(FalClient.operatorKey(sandbox, Optional.of("id:secret"), Optional.empty())).isEqualTo("id:secret");
    }
}
