package io.creditproxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.jwt.util.KeyUtils;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Tests run on the ephemeral key pair of JwtKeysConfigSourceFactory, not on a committed key file. */
@QuarkusTest
class JwtKeysInTestTest {

    @Test
    void theKeysAreAnInlineGeneratedPairAndNoKeyFileIsUsed() throws Exception {
        SmallRyeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class);
        assertThat(config.getOptionalValue("smallrye.jwt.sign.key.location", String.class)).isEmpty();
        assertThat(config.getOptionalValue("mp.jwt.verify.publickey.location", String.class)).isEmpty();
        ConfigValue sign = config.getConfigValue("smallrye.jwt.sign.key");
        ConfigValue verify = config.getConfigValue("mp.jwt.verify.publickey");
        // "Runtime Values" is where Quarkus records what the factory gave during the (same-JVM) build
        assertThat(sign.getSourceName()).isIn("credit-proxy admin JWT keys", "Runtime Values");
        assertThat(verify.getSourceName()).isEqualTo(sign.getSourceName());

        PrivateKey privateKey = KeyUtils.decodePrivateKey(sign.getValue());
        PublicKey publicKey = KeyUtils.decodePublicKey(verify.getValue());
        byte[] message = "pair".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(privateKey);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey);
        verifier.update(message);
        assertThat(verifier.verify(signature)).isTrue();
    }
}
