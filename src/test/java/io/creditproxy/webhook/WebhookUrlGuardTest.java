package io.creditproxy.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The guard as production runs it (private targets refused). Literal IPs, or names answered by an injected resolver:
 * no DNS is asked and nothing is ever sent to the addresses decided about.
 */
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
            "http://localhost/hook",                                         // from /etc/hosts, no DNS server needed
            // every other block of IANA's special-purpose registries (issue 11, item 10)
            "http://192.0.0.1/hook", "http://192.0.0.170/hook",              // IETF protocol assignments, NAT64 discovery
            "http://192.0.2.1/hook", "http://198.51.100.7/hook", "http://203.0.113.9/hook", // documentation
            "http://198.18.0.1/hook", "http://198.19.255.255/hook",          // benchmarking 198.18/15
            "http://192.88.99.1/hook", "http://192.31.196.1/hook",           // 6to4 relay anycast, AS112
            "http://192.52.193.1/hook", "http://192.175.48.1/hook",          // AMT, AS112 direct delegation
            "http://255.255.255.254/hook",                                   // reserved 240/4
            "http://[2001:db8::1]/hook", "http://[3fff::1]/hook",            // IPv6 documentation
            "http://[2002:c0a8:101::1]/hook", "http://[2002:808:808::1]/hook", // 6to4 (of 192.168.1.1, of 8.8.8.8)
            "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",            // Teredo
            "http://[64:ff9b::808:808]/hook", "http://[64:ff9b:1::a00:1]/hook", // NAT64, local-use NAT64
            "http://[::808:808]/hook", "http://[::a00:1]/hook",              // IPv4-compatible (deprecated)
            "http://[100::1]/hook", "http://[2001:2::1]/hook",               // discard-only, benchmarking
            "http://[2001:1::1]/hook", "http://[2001:20::1]/hook",           // PCP anycast, ORCHIDv2
            "http://[2620:4f:8000::1]/hook", "http://[5f00::1]/hook",        // AS112 direct delegation, SRv6 SIDs
            "http://[ff0e::1]/hook", "http://[4000::1]/hook"                 // global multicast, outside 2000::/3
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
            "http://192.0.1.255/hook", "http://192.0.3.1/hook",              // around 192.0.0.0/24 and 192.0.2.0/24
            "http://198.17.255.255/hook", "http://198.20.0.1/hook",          // around 198.18/15
            "http://198.51.99.1/hook", "http://203.0.114.1/hook",
            "https://[2606:4700:4700::1111]/hook", "http://[2a00:1450:4001:80b::200e]:8443/x", "http://[2a00::1]:1/x",
            "http://[2001:4860:4860::8888]/hook",                            // in 2001::/16, outside 2001::/23
            "http://[2001:db9::1]/hook", "http://[2003::1]/hook",            // just outside 2001:db8::/32 and 2002::/16
            "http://[::ffff:8.8.8.8]/hook"                                   // Java hands it over as 8.8.8.8
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
    void refusalNamesTheRegistryBlock() {
        assertThatThrownBy(() -> guard.check("http://198.51.100.7/hook"))
                .hasMessageContaining("198.51.100.7")
                .hasMessageContaining("198.51.100.0/24 (Documentation (TEST-NET-2))");
        assertThatThrownBy(() -> guard.check("http://[2002:c0a8:101::1]/hook")).hasMessageContaining("2002::/16 (6to4)");
        // the most specific entry names it: 2001::/32 (Teredo) lies inside 2001::/23
        assertThatThrownBy(() -> guard.check("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook"))
                .hasMessageContaining("2001::/32 (TEREDO)");
    }

    /** Names are resolved by an injected resolver here: decisions about public hosts without DNS or any traffic. */
    @Test
    void everyResolvedAddressIsCheckedAndTheFirstIsTheTarget() throws Exception {
        Map<String, InetAddress[]> dns = Map.of(
                "hooks.example.com", new InetAddress[] {v4("hooks.example.com", 93, 184, 216, 34),
                        InetAddress.getByAddress("hooks.example.com", new byte[] {0x26, 0x06, 0x28, 0, 2, 0x20, 0, 1, 0, 0, 0, 0,
                                0, 0, 0, 0})},
                "mixed.example.com", new InetAddress[] {v4("mixed.example.com", 93, 184, 216, 34),
                        v4("mixed.example.com", 192, 0, 2, 10)},
                "bench.example.com", new InetAddress[] {v4("bench.example.com", 198, 18, 7, 7)},
                "nothing.example.com", new InetAddress[0]);
        List<String> asked = new java.util.ArrayList<>();
        WebhookUrlGuard resolving = new WebhookUrlGuard(false, host -> {
            asked.add(host);
            InetAddress[] found = dns.get(host);
            if (found == null) {
                throw new UnknownHostException(host);
            }
            return found;
        });

        WebhookTarget ok = resolving.check("https://hooks.example.com/hook?token=t");
        assertThat(ok.address().getHostAddress()).isEqualTo("93.184.216.34");
        assertThat(ok.host()).isEqualTo("hooks.example.com");
        // one private address among public ones is enough to refuse: the connection could go to any of them
        assertThatThrownBy(() -> resolving.check("https://mixed.example.com/hook"))
                .isInstanceOfSatisfying(InvalidWebhookException.class, e -> assertThat(e.permanent()).isFalse())
                .hasMessageContaining("192.0.2.10").hasMessageContaining("192.0.2.0/24");
        assertThatThrownBy(() -> resolving.check("http://bench.example.com/hook")).hasMessageContaining("198.18.0.0/15");
        assertThatThrownBy(() -> resolving.check("http://nothing.example.com/hook")).hasMessageContaining("does not resolve");
        assertThatThrownBy(() -> resolving.check("http://unknown.example.com/hook")).hasMessageContaining("does not resolve");
        assertThat(asked).containsExactly("hooks.example.com", "mixed.example.com", "bench.example.com",
                "nothing.example.com", "unknown.example.com");
        // dev and tests may target private hosts, but never what does not resolve
        assertThat(new WebhookUrlGuard(true, host -> dns.get("bench.example.com")).check("http://bench.example.com/")
                .address().getHostAddress()).isEqualTo("198.18.7.7");
    }

    private static InetAddress v4(String host, int a, int b, int c, int d) throws UnknownHostException {
        return InetAddress.getByAddress(host, new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
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
