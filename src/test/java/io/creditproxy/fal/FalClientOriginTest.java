package io.creditproxy.fal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.Test;

/** fal URLs under the upstream's base are sent where {@link RequestOptions#setAbsoluteURI} would send them. */
class FalClientOriginTest {

    @Test
    void aUrlUnderTheBaseGoesWhereTheParsedUrlWould() {
        String[][] cases = {
                {"http://127.0.0.1:18181", "http://127.0.0.1:18181/fal-ai/flux-1/requests/abc/status?logs=1"},
                {"http://127.0.0.1:18181", "http://127.0.0.1:18181/fal-ai/flux-1/dev?fal_webhook=http%3A%2F%2Fx%2Fy"},
                {"https://queue.fal.run", "https://queue.fal.run/fal-ai/kling-video/requests/r-1/cancel"},
                {"http://localhost/sandbox", "http://localhost/sandbox/fal-ai/flux-1/requests/r/status/stream"},
                {"http://[::1]:8081", "http://[::1]:8081/fal-ai/flux-1/requests/r"},
        };
        for (String[] c : cases) {
            FalClient.Origin origin = FalClient.Origin.of(c[0]);
            assertThat(origin).as(c[0]).isNotNull();
            assertThat(c[1]).startsWith(origin.prefix());
            RequestOptions parsed = new RequestOptions().setAbsoluteURI(c[1]);
            assertThat(origin.host()).as(c[1]).isEqualTo(parsed.getHost());
            assertThat(origin.port()).as(c[1]).isEqualTo(parsed.getPort());
            assertThat(origin.ssl()).as(c[1]).isEqualTo(parsed.isSsl());
            assertThat(origin.basePath() + c[1].substring(origin.prefix().length())).as(c[1]).isEqualTo(parsed.getURI());
        }
    }

    @Test
    void aBaseThatCannotBeReadThatWayIsParsedPerRequest() {
        assertThat(FalClient.Origin.of("ftp://example.invalid")).isNull();
        assertThat(FalClient.Origin.of("not a url")).isNull();
        assertThat(FalClient.Origin.of("http://127.0.0.1:1/x?q=1")).isNull();
    }
}
