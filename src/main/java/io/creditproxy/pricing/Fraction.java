package io.creditproxy.pricing;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * An exact positive fraction such as a resolution factor ("4/3"). Kept as numerator and denominator so
 * that 4/3 is never rounded before the final ceiling to whole credits.
 */
public record Fraction(BigInteger numerator, BigInteger denominator) {

    public static final Fraction ONE = new Fraction(BigInteger.ONE, BigInteger.ONE);

    public Fraction {
        if (numerator.signum() <= 0 || denominator.signum() <= 0) {
            throw new IllegalArgumentException("a factor must be positive");
        }
        BigInteger gcd = numerator.gcd(denominator);
        numerator = numerator.divide(gcd);
        denominator = denominator.divide(gcd);
    }

    /** Parses "1", "4/3" or a decimal such as "1.5". */
    public static Fraction parse(String text) {
        String t = text == null ? "" : text.trim();
        try {
            int slash = t.indexOf('/');
            if (slash < 0) {
                BigDecimal d = new BigDecimal(t);
                return d.scale() <= 0
                        ? new Fraction(d.toBigIntegerExact(), BigInteger.ONE)
                        : new Fraction(d.unscaledValue(), BigInteger.TEN.pow(d.scale()));
            }
            return new Fraction(new BigInteger(t.substring(0, slash).trim()), new BigInteger(t.substring(slash + 1).trim()));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + t + "' is not a positive number or fraction such as 4/3");
        }
    }

    @Override
    public String toString() {
        return denominator.equals(BigInteger.ONE) ? numerator.toString() : numerator + "/" + denominator;
    }
}
