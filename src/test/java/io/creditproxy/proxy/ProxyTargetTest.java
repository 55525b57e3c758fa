package io.creditproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditproxy.common.ApiException;
import io.creditproxy.proxy.ProxyTarget.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** fal's allow-list for {@code x-fal-target-url}, decided without connecting anywhere. */
class ProxyTargetTest {

    @ParameterizedTest
    @CsvSource({
            "https://queue.fal.run/fal-ai/flux-1/dev, QUEUE, /fal-ai/flux-1/dev",
            "https://QUEUE.fal.run:443/fal-ai/flux-1/requests/abc/status, QUEUE, /fal-ai/flux-1/requests/abc/status",
            "https://fal.run/fal-ai/flux-1/dev, SYNC, /fal-ai/flux-1/dev",
            "https://rest.fal.ai/storage/upload/initiate?storage_type=fal-cdn-v3, STORAGE, /storage/upload/initiate",
            "https://rest.alpha.fal.ai/storage/upload/complete-multipart?storage_type=fal-cdn-v3, STORAGE, /storage/upload/complete-multipart",
    })
    void falsOwnTargetsAreRead(String url, Kind kind, String path) {
        ProxyTarget target = ProxyTarget.parse(url);

        assertThat(target.kind()).isEqualTo(kind);
        assertThat(target.rawPath()).isEqualTo(path);
    }

    @Test
    void theTargetsQueryBecomesTheCallsQuery() {
        ProxyTarget target = ProxyTarget.parse(
                "https://queue.fal.run/fal-ai/flux-1/dev?fal_webhook=https%3A%2F%2Fexample.test%2Fhook&logs=1");

        assertThat(target.query()).isEqualTo("fal_webhook=https%3A%2F%2Fexample.test%2Fhook&logs=1");
        assertThat(target.params().get("fal_webhook")).isEqualTo("https://example.test/hook");
        assertThat(target.params().get("logs")).isEqualTo("1");
        assertThat(ProxyTarget.parse("https://queue.fal.run/a/b").query()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://rest.fal.ai/tokens/",
            "https://rest.alpha.fal.ai/tokens/",
            "https://rest.fal.ai/storage/auth/token?storage_type=fal-cdn-v3",
            "https://rest.fal.ai/billing/user_balance",
            "https://rest.fal.ai/storage/upload/put",
            "https://rest.fal.ai/storage/files/abc/cat.png",
            "https://rest.fal.ai/storage/upload/initiate/../../tokens/",
            "https://rest.fal.ai/storage/upload/initiate/",
            "https://api.fal.ai/v1/models/pricing",
            "https://fal.ai/api/anything",
            "https://queue.fal.run.example.com/fal-ai/flux-1/dev",
            "https://evilfal.run/fal-ai/flux-1/dev",
            "https://127.0.0.1/fal-ai/flux-1/dev",
            "https://localhost/fal-ai/flux-1/dev",
    })
    void everythingElseIsRefusedAs403(String url) {
        assertThatThrownBy(() -> ProxyTarget.parse(url)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.code()).isEqualTo("target_not_allowed");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://queue.fal.run/fal-ai/flux-1/dev",
            "https://user:pw@queue.fal.run/fal-ai/flux-1/dev",
            "https://queue.fal.run:8443/fal-ai/flux-1/dev",
            "https://queue.fal.run/fal-ai/flux-1/dev#frag",
            "/fal-ai/flux-1/dev",
            "queue.fal.run/fal-ai/flux-1/dev",
            "https://queue.fal.run/a b",
            "ftp://queue.fal.run/x",
    })
    void aTargetThatIsNotAPlainHttpsUrlIs400(String url) {
        assertThatThrownBy(() -> ProxyTarget.parse(url)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("bad_target_url");
        });
    }

    @Test
    void aMissingTargetIs400() {
        assertThatThrownBy(() -> ProxyTarget.parse(null)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("missing_target_url"));
        assertThatThrownBy(() -> ProxyTarget.parse(" ")).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo("missing_target_url"));
    }
}
