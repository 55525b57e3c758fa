package io.creditproxy.settlement;

import io.creditproxy.support.FakeFal;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * The application with the recording {@link FakeFal} as its fal upstream (on 127.0.0.1), fal's webhook keys from the
 * fake's JWKS, pinned to the fake's operator account, and the reconciler's first look at a job an hour away, so that
 * a test decides when the reconciler runs (by moving next_check_at).
 */
public class FakeFalProfile implements QuarkusTestProfile {

    static final FakeFal FAL = FakeFal.start();

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "fal.upstream", "fal",
                "fal.queue-url", FAL.baseUrl(),
                // a dummy, never a real key: the fake accepts any
                "fal.key", "fake-key-id:fake-key-secret",
                "fal.user-id", FakeFal.OPERATOR_ACCOUNT,
                "settlement.fal-jwks-url", FAL.baseUrl() + "/.well-known/jwks.json",
                "settlement.first-check-after", "1h");
    }
}
