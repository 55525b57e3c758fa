package io.creditproxy.proxy;

import io.creditproxy.support.FakeFal;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The application as production runs it at its edges: upstream "fal" (a {@link FakeFal} on 127.0.0.1 standing in
 * for queue.fal.run) and the request's Host trusted only when it is in the allow-list, as with PROXY_ALLOWED_HOSTS.
 */
public class RecordingFalProfile implements QuarkusTestProfile {

    static final FakeFal FAL = FakeFal.start();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fal.upstream", "fal",
                "%test.fal.upstream", "fal",
                "fal.queue-url", FAL.baseUrl(),
                "proxy.trust-request-host", "false",
                "%test.proxy.trust-request-host", "false",
                "proxy.allowed-hosts", "localhost",
                "%test.proxy.allowed-hosts", "localhost");
    }
}
