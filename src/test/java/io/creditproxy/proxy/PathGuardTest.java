package io.creditproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.creditproxy.common.ApiException;
import io.creditproxy.fal.FalPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathGuardTest {

    /** The character loop that checks segments agrees with the regular expression it replaced, on every kind of input. */
    @Test
    void theSegmentCheckIsTheRegularExpressions() {
        java.util.Random random = new java.util.Random(5);
        String alphabet = "aZ09._-/%:@\\ \u00e9\u0130?#";
        for (int i = 0; i < 100_000; i++) {
            StringBuilder part = new StringBuilder();
            int n = random.nextInt(i % 100 == 0 ? 140 : 6);
            for (int j = 0; j < n; j++) {
                part.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String segment = part.toString();
            assertThat(PathGuard.cleanSegment(segment)).as(segment).isEqualTo(PathGuard.SEGMENT.matcher(segment).matches());
        }
        for (String segment : new String[] {"a".repeat(128), "a".repeat(129), "a" + "-".repeat(127), "-a", ".a", "_", "9"}) {
            assertThat(PathGuard.cleanSegment(segment)).as(segment).isEqualTo(PathGuard.SEGMENT.matcher(segment).matches());
        }
    }

    @Test
    void readsModelIds() {
        assertThat(PathGuard.modelId("/fal-ai/flux-1/dev")).isEqualTo("fal-ai/flux-1/dev");
        assertThat(PathGuard.modelId("/fal-ai/pixverse/v4.5/text-to-video/fast")).isEqualTo("fal-ai/pixverse/v4.5/text-to-video/fast");
    }

    @Test
    void aSyncRunNamesItsModelAndAStreamingRunIsRefused() {
        assertThat(PathGuard.runModelId("/fal-ai/flux-1/dev")).isEqualTo("fal-ai/flux-1/dev");
        assertThat(PathGuard.runModelId("/workflows/acme/my-flow/run")).isEqualTo("workflows/acme/my-flow/run");
        assertThatThrownBy(() -> PathGuard.runModelId("/fal-ai/flux-1/dev/stream"))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("streaming_not_supported");
                });
        assertThatThrownBy(() -> PathGuard.runModelId("/fal-ai/../admin")).isInstanceOf(ApiException.class);
    }

    @Test
    void readsRequestPaths() {
        String id = "551a32da-52b2-4be8-bf2f-bfb7cce2b324";
        assertThat(PathGuard.requestPath("/fal-ai/flux-1/requests/" + id))
                .isEqualTo(new PathGuard.RequestPath(id, PathGuard.Action.RESULT));
        assertThat(PathGuard.requestPath("/fal-ai/flux-1/requests/" + id + "/status"))
                .isEqualTo(new PathGuard.RequestPath(id, PathGuard.Action.STATUS));
        assertThat(PathGuard.requestPath("/fal-ai/flux-1/requests/" + id + "/status/stream"))
                .isEqualTo(new PathGuard.RequestPath(id, PathGuard.Action.STREAM));
        assertThat(PathGuard.requestPath("/fal-ai/flux-1/requests/" + id + "/cancel"))
                .isEqualTo(new PathGuard.RequestPath(id, PathGuard.Action.CANCEL));
        // any prefix before /requests/ is accepted; the id decides
        assertThat(PathGuard.requestPath("/fal-ai/kling-video/v1.6/requests/" + id + "/status"))
                .isEqualTo(new PathGuard.RequestPath(id, PathGuard.Action.STATUS));
        assertThat(PathGuard.requestPath("/fal-ai/flux-1/dev")).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/fal-ai/../admin/tenants", "/fal-ai/flux-1/..", "/fal-ai/%2e%2e/x", "/fal-ai%2Fflux-1/dev",
            "/fal-ai/flux-1%2fdev", "//evil.example.com/x", "/http://evil.example.com/x", "/https:/evil/x",
            "/fal-ai//flux-1", "/fal-ai/flux-1/dev/", "/fal-ai/flux\\1/dev", "/fal-ai/./flux-1", "/fal-ai/@evil/x",
            "/fal-ai/flux-1?x", "/fal-ai/fl%00ux"})
    void refusesPathTricks(String path) {
        assertThatThrownBy(() -> PathGuard.modelId(path))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("bad_path");
                });
    }

    @Test
    void appIsTwoSegmentsOrThreeForWorkflows() {
        assertThat(FalPaths.appOf("fal-ai/flux-1/dev")).isEqualTo("fal-ai/flux-1");
        assertThat(FalPaths.appOf("workflows/acme/my-flow/run")).isEqualTo("workflows/acme/my-flow");
        assertThat(FalPaths.appOf("comfy/acme/flow")).isEqualTo("comfy/acme/flow");
    }

    @Test
    void theApplicationsOwnPathsAreWholeFirstSegments() {
        assertThat(ProxyRoutes.isReserved("/admin/tenants")).isTrue();
        assertThat(ProxyRoutes.isReserved("/console")).isTrue();
        assertThat(ProxyRoutes.isReserved("/console/index.html")).isTrue();
        assertThat(ProxyRoutes.isReserved("/q/health")).isTrue();
        assertThat(ProxyRoutes.isReserved("/v1/account")).isTrue();
        assertThat(ProxyRoutes.isReserved("/webhooks/fal/x")).isTrue();
        assertThat(ProxyRoutes.isReserved("/run/fal-ai/flux-1/dev")).isTrue();
        assertThat(ProxyRoutes.isReserved("/runway/gen-4")).isFalse();
        assertThat(ProxyRoutes.isReserved("/console-labs/model")).isFalse();
        assertThat(ProxyRoutes.isReserved("/administrator/app/x")).isFalse();
        assertThat(ProxyRoutes.isReserved("/fal-ai/flux-1/dev")).isFalse();
    }
}
