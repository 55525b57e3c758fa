package io.creditproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Where the proxy's public URL may come from (issue 11, item 9): the start-up decision and the host allow-list. */
class PublicUrlTest {

    private static PublicUrl production(String publicUrl, String... allowedHosts) {
        return new PublicUrl(Optional.ofNullable(publicUrl), List.of(allowedHosts), false);
    }

    @Test
    void productionRefusesToStartWithoutAPublicUrlOrAnAllowList() {
        assertThatThrownBy(() -> production(null).validate())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PROXY_PUBLIC_URL")
                .hasMessageContaining("PROXY_ALLOWED_HOSTS")
                .hasMessageContaining("Host header");
        // blank values are no values
        assertThatThrownBy(() -> production("  ", " ", "").validate()).hasMessageContaining("PROXY_PUBLIC_URL");
    }

    @Test
    void eitherSettingIsEnoughAndDevAndTestsTrustTheRequest() {
        assertThatCode(() -> production("https://api.example.com").validate()).doesNotThrowAnyException();
        assertThatCode(() -> production("https://api.example.com/").validate()).doesNotThrowAnyException();
        assertThatCode(() -> production(null, "api.example.com").validate()).doesNotThrowAnyException();
        assertThatCode(() -> new PublicUrl(Optional.empty(), List.of(), true).validate()).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"api.example.com", "ftp://api.example.com", "https://", "https://u:p@api.example.com",
            "https://api.example.com/?x=1", "https://api.example.com/#top", "http://exa mple.com"})
    void aPublicUrlThatIsNotABaseUrlStopsTheStart(String url) {
        assertThatThrownBy(() -> production(url).validate())
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("PROXY_PUBLIC_URL ");
    }

    @Test
    void theAllowListMatchesHostNamesInAnyCaseAndPortsWhenGiven() {
        PublicUrl url = production(null, "api.example.com", "Edge.Example.com:8443", "[2001:db8::1]", "10.0.0.5:8080");
        assertThat(url.allows("api.example.com", -1)).isTrue();
        assertThat(url.allows("API.Example.COM", 443)).isTrue();
        assertThat(url.allows("api.example.com.", 8080)).isTrue();
        assertThat(url.allows("edge.example.com", 8443)).isTrue();
        assertThat(url.allows("edge.example.com", 443)).isFalse();
        assertThat(url.allows("edge.example.com", -1)).isFalse();
        assertThat(url.allows("[2001:db8::1]", 8080)).isTrue();
        assertThat(url.allows("10.0.0.5", 8080)).isTrue();
        assertThat(url.allows("10.0.0.5", 80)).isFalse();
        assertThat(url.allows("evil.example", -1)).isFalse();
        assertThat(url.allows("api.example.com.evil.example", -1)).isFalse();
        assertThat(url.allows("", -1)).isFalse();
        assertThat(url.allows(null, -1)).isFalse();
    }

    @Test
    void aMalformedAllowListEntryStopsTheStart() {
        assertThatThrownBy(() -> production(null, "api.example.com:https"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("PROXY_ALLOWED_HOSTS");
    }
}
