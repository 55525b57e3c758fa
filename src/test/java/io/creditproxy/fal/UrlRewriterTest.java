package io.creditproxy.fal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlRewriterTest {

    private final UrlRewriter rewriter = new UrlRewriter("http://127.0.0.1:8089/");

    @Test
    void rewritesFalQueueHostsAndTheConfiguredUpstream() {
        String body = """
                {"response_url":"https://queue.fal.run/fal-ai/flux-1/requests/abc",
                 "status_url":"http://127.0.0.1:8089/fal-ai/flux-1/requests/abc/status",
                 "cancel_url":"https://queue.falrun.com/fal-ai/flux-1/requests/abc/cancel",
                 "image":"https://v3.fal.media/files/rabbit/x.png"}""";
        String out = rewriter.rewrite(body, "https://proxy.example.com/");
        assertThat(out).contains("\"https://proxy.example.com/fal-ai/flux-1/requests/abc\"")
                .contains("\"https://proxy.example.com/fal-ai/flux-1/requests/abc/status\"")
                .contains("\"https://proxy.example.com/fal-ai/flux-1/requests/abc/cancel\"")
                // media URLs are fal's CDN, not the queue: left alone
                .contains("https://v3.fal.media/files/rabbit/x.png");
        assertThat(rewriter.containsUpstreamUrl(out)).isFalse();
    }

    @Test
    void rewritesJsonEscapedSlashes() {
        String out = rewriter.rewrite("{\"u\":\"https:\\/\\/queue.fal.run\\/fal-ai\\/x\"}", "https://p.example");
        assertThat(out).isEqualTo("{\"u\":\"https:\\/\\/p.example\\/fal-ai\\/x\"}");
    }
}
