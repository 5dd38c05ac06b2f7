package dev.ims.portal.chart;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Escaping and number formatting shared by the SVG and the table; output is locale-independent. */
final class Markup {

    private Markup() {}

    /**
     * Text safe in XML/HTML content and in double- or single-quoted attributes. Characters XML 1.0 forbids
     * (control characters other than tab, CR, LF; lone surrogates) are dropped so the result stays well-formed.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (allowedInXml(c)) {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean allowedInXml(char c) {
        return c == '\t' || c == '\n' || c == '\r'
                || (c >= 0x20 && c <= 0xD7FF)
                || (c >= 0xE000 && c <= 0xFFFD);
    }

    /** A measured value for people: at most 3 decimals, no trailing zeros, no exponent. */
    static String amount(double v) {
        return decimal(v, 3);
    }

    /** A coordinate: at most 2 decimals, no trailing zeros, no exponent. */
    static String coord(double v) {
        return decimal(v, 2);
    }

    /** A value followed by its unit, or the bare value when the unit is blank. */
    static String withUnit(double v, String unit) {
        return unit.isBlank() ? amount(v) : amount(v) + " " + unit;
    }

    private static String decimal(double v, int scale) {
        BigDecimal d = BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_UP).stripTrailingZeros();
        return d.signum() == 0 ? "0" : d.toPlainString();
    }
}
