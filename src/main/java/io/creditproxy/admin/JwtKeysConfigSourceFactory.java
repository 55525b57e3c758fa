package io.creditproxy.admin;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Configured admin JWT keys, so that no private key is ever committed:
 * <ul>
 * <li>{@code ADMIN_JWT_SIGN_KEY_LOCATION} / {@code ADMIN_JWT_VERIFY_KEY_LOCATION} become
 * {@code smallrye.jwt.sign.key.location} / {@code mp.jwt.verify.publickey.location} (any profile);</li>
 * <li>in the test profile, when no key is configured at all, an ephemeral RSA pair generated once per JVM is
 * supplied as {@code smallrye.jwt.sign.key} / {@code mp.jwt.verify.publickey}, so that tests can sign tokens
 * inline with {@code Jwt...sign()}.</li>
 * </ul>
 * Without either (dev, prod), {@link AdminJwtKeys} uses the pair kept in PostgreSQL. The low ordinal lets anything
 * configured the standard way win. This is a factory rather than lines in application.properties because SmallRye
 * JWT fails on a key location that expands to an empty string (and config is read before the datasource exists, so
 * the PostgreSQL pair is provided at run time instead). Registered in
 * {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}.
 */
public class JwtKeysConfigSourceFactory implements ConfigSourceFactory {

    static final String SIGN_KEY = "smallrye.jwt.sign.key";
    static final String SIGN_KEY_LOCATION = "smallrye.jwt.sign.key.location";
    static final String VERIFY_KEY = "mp.jwt.verify.publickey";
    static final String VERIFY_KEY_LOCATION = "mp.jwt.verify.publickey.location";
    static final String SIGN_KEY_ENV = "ADMIN_JWT_SIGN_KEY_LOCATION";
    static final String VERIFY_KEY_ENV = "ADMIN_JWT_VERIFY_KEY_LOCATION";
    static final List<String> KEY_PROPERTIES = List.of(SIGN_KEY, SIGN_KEY_LOCATION, VERIFY_KEY, VERIFY_KEY_LOCATION);
    /** below application.properties (250) and the environment (300): anything configured wins */
    static final int ORDINAL = 50;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> properties = new HashMap<>();
        String sign = value(context, SIGN_KEY_ENV);
        String verify = value(context, VERIFY_KEY_ENV);
        if (sign != null) {
            properties.put(SIGN_KEY_LOCATION, sign);
        }
        if (verify != null) {
            properties.put(VERIFY_KEY_LOCATION, verify);
        }
        if (properties.isEmpty() && appliesTo(context.getProfiles()) && noKeyConfigured(context)) {
            properties.putAll(EphemeralPair.PROPERTIES);
        }
        if (properties.isEmpty()) {
            return List.of();
        }
        return List.of(new PropertiesConfigSource(properties, "credit-proxy admin JWT keys", ORDINAL));
    }

    /** true for the profiles that run on a per-JVM key pair: the tests' */
    static boolean appliesTo(List<String> profiles) {
        return !profiles.contains("prod") && profiles.contains("test");
    }

    private static boolean noKeyConfigured(ConfigSourceContext context) {
        return KEY_PROPERTIES.stream().allMatch(name -> value(context, name) == null);
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue v = context.getValue(name);
        return v == null || v.getValue() == null || v.getValue().isBlank() ? null : v.getValue();
    }

    /** One pair per JVM (per class loader), created on first use. */
    private static final class EphemeralPair {
        static final Map<String, String> PROPERTIES = generate();

        private static Map<String, String> generate() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                KeyPair pair = generator.generateKeyPair();
                Base64.Encoder b64 = Base64.getEncoder();
                return Map.of(
                        SIGN_KEY, b64.encodeToString(pair.getPrivate().getEncoded()),
                        VERIFY_KEY, b64.encodeToString(pair.getPublic().getEncoded()));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("RSA is not available", e);
            }
        }
    }
}
