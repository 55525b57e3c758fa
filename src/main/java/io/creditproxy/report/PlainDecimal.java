package io.creditproxy.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money in reports: exact decimals with 6 places, written as JSON strings so no client reads them as floats. */
public final class PlainDecimal extends JsonSerializer<BigDecimal> {

    public static final int SCALE = 6;
    public static final BigDecimal ZERO = BigDecimal.ZERO.setScale(SCALE);

    /** Figures from SQL are already rounded per job to 6 places; this only fixes the scale (never rounds). */
    public static BigDecimal of(Object sqlValue) {
        if (sqlValue == null) {
            return ZERO;
        }
        BigDecimal value = sqlValue instanceof BigDecimal d ? d : new BigDecimal(sqlValue.toString());
        return value.setScale(Math.max(SCALE, value.stripTrailingZeros().scale()), RoundingMode.UNNECESSARY);
    }

    public static String text(BigDecimal value) {
        return value.toPlainString();
    }

    @Override
    public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeString(value.toPlainString());
    }
}
