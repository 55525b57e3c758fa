package io.creditproxy.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The redactor's quick test (a line without any of its trigger words skips the regular expressions) never lets a
 * secret through that the expressions alone would have masked.
 */
class SecretRedactorTest {

    /** Pieces that make or nearly make a match of each pattern, in every letter case, among ordinary text. */
    private static final String[] PIECES = {
            "Bearer ", "bearer\t", "BEARER ", "Key ", "key ", "KEY\t", "kEy ", "monkey ", "keyframe", "cp_", "CP_",
            "cp_abcdefgh12", "Cp_Abcdefgh-_9", "eyJ", "EYJ", "eyJabcde.fghij.klm", "EyJhbGci.eyJzdWIi.sig",
            "\"password\"", "\"PassWord\"", "\"password\": \"", "\"password\":\"", "request to ", "Request To /a/b?",
            "REQUEST TO /x?token=1", "HTTP Request to /q?fal_webhook=x", " ", "  ", "abc", "/", "?", "=", "&", "\"",
            ",", ";", ":", "'", "x", "0", "é", "İ", "\u212A", "ß", "\n", "POST /fal-ai/flux-1/dev 200 312 4 ms"};

    @Test
    void theQuickTestNeverSkipsALineThePatternsWouldMask() {
        Random random = new Random(17);
        int masked = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder line = new StringBuilder();
            int n = 1 + random.nextInt(8);
            for (int j = 0; j < n; j++) {
                line.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String text = line.toString();
            String expected = SecretRedactor.applyPatterns(text);
            assertThat(SecretRedactor.maskPatterns(text)).as(text).isEqualTo(expected);
            if (!expected.equals(text)) {
                masked++;
            }
        }
        // the generated lines did exercise the patterns, not only the quick path
        assertThat(masked).isGreaterThan(10_000);
    }

    @Test
    void everyPatternStillMasks() {
        assertThat(SecretRedactor.maskPatterns("Authorization: Bearer abc.def")).isEqualTo("Authorization: Bearer [REDACTED]");
        assertThat(SecretRedactor.maskPatterns("header KEY s3cr3t, next")).isEqualTo("header KEY [REDACTED], next");
        assertThat(SecretRedactor.maskPatterns("used CP_abcdefgh123 today")).isEqualTo("used [REDACTED] today");
        assertThat(SecretRedactor.maskPatterns("jwt eyJhbGciOi.eyJzdWIiOi.c2ln")).isEqualTo("jwt [REDACTED]");
        assertThat(SecretRedactor.maskPatterns("{\"Password\": \"hunter2\"}")).isEqualTo("{\"Password\": \"[REDACTED]\"}");
        assertThat(SecretRedactor.maskPatterns("HTTP Request to /a?token=x failed")).isEqualTo("HTTP Request to /a?[REDACTED] failed");
    }

    @Test
    void anAccessLogLineIsLeftAsItIs() {
        String line = "POST /fal-ai/flux-1/dev 200 312 4 ms";
        assertThat(SecretRedactor.mayHoldSecret(line)).isFalse();
        assertThat(SecretRedactor.maskPatterns(line)).isSameAs(line);
    }
}
