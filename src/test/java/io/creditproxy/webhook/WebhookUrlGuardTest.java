package io.creditproxy.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The guard as production runs it (private targets refused). Literal IPs only, so no DNS is needed. */
class WebhookUrlGuardTest {

    private final WebhookUrlGuard guard = new WebhookUrlGuard(false);

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/hook", "http://127.8.9.10:8080/hook",          // loopback
            "http://10.0.0.1/hook", "http://10.255.255.255/hook",            // 10/8
            "http://172.16.0.1/hook", "http://172.31.255.254/hook",          // 172.16/12
            "http://192.168.0.1/hook", "https://192.168.255.255/hook",       // 192.168/16
            "http://169.254.169.254/latest/meta-data/",                      // link-local (cloud metadata)
            "http://100.64.0.1/hook", "http://100.127.255.254/hook",         // CGNAT 100.64/10
            "http://224.0.0.1/hook", "http://239.255.255.250/hook",          // multicast
            "http://0.0.0.0/hook", "http://0.1.2.3/hook",                    // unspecified, "this network"
            "http://255.255.255.255/hook", "http://240.0.0.1/hook",          // broadcast, reserved
            "http://[::1]/hook", "http://[::]/hook",                         // IPv6 loopback, unspecified
            "http://[fe80::1]/hook", "http://[febf:ffff::1]/hook",           // fe80::/10
            "http://[fc00::1]/hook", "http://[fd12:3456:789a::1]/hook",      // fc00::/7
            "http://[ff02::1]/hook",                                         // IPv6 multicast
            "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:10.1.2.3]/hook",           // IPv4-mapped
            "http://[::ffff:169.254.169.254]/hook", "http://[::ffff:a9fe:a9fe]/hook",
            "http://[::ffff:100.64.0.1]/hook", "http://[::ffff:0.0.0.0]/hook",
            "http://[64:ff9b::7f00:1]/hook",                                 // NAT64 of 127.0.0.1
            "http://localhost/hook"                                          // from /etc/hosts, no DNS server needed
    })
    void refusesNonPublicAddresses(String url) {
        assertThatThrownBy(() -> guard.check(url))
                .isInstanceOfSatisfying(InvalidWebhookException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("invalid_webhook");
                    assertThat(e.getMessage()).contains("public addresses");
                    assertThat(e.permanent()).isFalse(); // DNS may change: the worker tries again later
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://8.8.8.8/hook", "https://93.184.216.34/hook?token=abc",
            "http://172.15.255.255/hook", "http://172.32.0.1/hook",          // just outside 172.16/12
            "http://100.63.255.255/hook", "http://100.128.0.1/hook",         // just outside 100.64/10
            "http://169.253.0.1/hook", "http://192.169.0.1/hook", "http://11.0.0.1/hook",
            "http://223.255.255.254/hook",
            "https://[2606:4700:4700::1111]/hook", "http://[2001:db8::1]:8443/x", "http://[2a00::1]:1/x",
            "http://[::ffff:8.8.8.8]/hook"
    })
    void acceptsPublicAddresses(String url) {
        WebhookTarget target = guard.check(url);
        assertThat(WebhookUrlGuard.refusal(target.address())).isNull();
    }

    @Test
    void targetCarriesPortSchemeAndTheCheckedAddress() {
        WebhookTarget plain = guard.check("http://8.8.4.4/hook");
        assertThat(plain.port()).isEqualTo(80);
        assertThat(plain.tls()).isFalse();
        assertThat(plain.address().getHostAddress()).isEqualTo("8.8.4.4");
        WebhookTarget tls = guard.check("HTTPS://[2606:4700:4700::1111]:8443/hook");
        assertThat(tls.port()).isEqualTo(8443);
        assertThat(tls.tls()).isTrue();
        assertThat(tls.host()).isEqualTo("2606:4700:4700::1111");
    }

    @Test
    void refusesSiteLocalIpv6() {
        assertThatThrownBy(() -> guard.check("http://[fec0::1]/hook")).isInstanceOf(InvalidWebhookException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ftp://8.8.8.8/hook", "file:///etc/passwd", "javascript:alert(1)", "gopher://8.8.8.8/",
            "/relative/hook", "8.8.8.8/hook", "http:///hook", "http://", "not a url", "",
            "http://user:secret@8.8.8.8/hook", "http://user@8.8.8.8/hook"
    })
    void refusesWhatIsNotAnAbsoluteHttpUrlWithoutUserInfo(String url) {
        assertThatThrownBy(() -> guard.check(url))
                .isInstanceOfSatisfying(InvalidWebhookException.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.code()).isEqualTo("invalid_webhook");
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).doesNotContain("secret");
                });
    }

    @Test
    void refusesNullAndOverlongUrls() {
        assertThatThrownBy(() -> guard.check(null)).isInstanceOf(InvalidWebhookException.class);
        String base = "https://8.8.8.8/";
        String atLimit = base + "a".repeat(WebhookUrlGuard.MAX_LENGTH - base.length());
        assertThat(guard.check(atLimit).uri().toString()).hasSize(2048);
        assertThatThrownBy(() -> guard.check(atLimit + "a"))
                .isInstanceOf(InvalidWebhookException.class)
                .hasMessageContaining("2048");
    }

    @Test
    void allowingPrivateTargetsLiftsOnlyTheAddressRule() {
        WebhookUrlGuard dev = new WebhookUrlGuard(true);
        assertThat(dev.check("http://127.0.0.1:9999/hook").address().isLoopbackAddress()).isTrue();
        assertThat(dev.check("http://[::1]/hook").port()).isEqualTo(80);
        assertThatThrownBy(() -> dev.check("ftp://127.0.0.1/")).isInstanceOf(InvalidWebhookException.class);
        assertThatThrownBy(() -> dev.check("http://u:p@127.0.0.1/")).isInstanceOf(InvalidWebhookException.class);
    }

    @Test
    void hostOfDropsPathQueryAndUserInfo() {
        assertThat(WebhookUrlGuard.hostOf("https://Hooks.Example.com:8443/services/T0/B0/SECRET?token=abc"))
                .isEqualTo("hooks.example.com");
        assertThat(WebhookUrlGuard.hostOf("http://u:pw@8.8.8.8/x")).isEqualTo("8.8.8.8");
        assertThat(WebhookUrlGuard.hostOf("token=abc not a url")).isEqualTo("(invalid host)");
    }
}
