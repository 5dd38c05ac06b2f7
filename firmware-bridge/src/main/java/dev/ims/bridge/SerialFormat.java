package dev.ims.bridge;

import java.util.Locale;

/**
 * A serial line's character format as meters' manuals write it: data bits, parity, stop bits
 * ({@code 8N1}, {@code 7E1}, {@code 8E1}, {@code 8N2} …).
 *
 * @param dataBits 5 to 8
 * @param parity {@code 'N'} (none), {@code 'E'} (even), {@code 'O'} (odd)
 * @param stopBits 1 or 2
 */
public record SerialFormat(int dataBits, char parity, int stopBits) {

    /** Every DSMR 4/5 meter and most Modbus meters. */
    public static final SerialFormat F8N1 = new SerialFormat(8, 'N', 1);
    /** DSMR 2.2 and 3 meters (9600 baud). */
    public static final SerialFormat F7E1 = new SerialFormat(7, 'E', 1);

    public SerialFormat {
        if (dataBits < 5 || dataBits > 8) {
            throw new IllegalArgumentException("data bits must be 5 to 8, not " + dataBits);
        }
        if (parity != 'N' && parity != 'E' && parity != 'O') {
            throw new IllegalArgumentException("parity must be N, E or O, not " + parity);
        }
        if (stopBits != 1 && stopBits != 2) {
            throw new IllegalArgumentException("stop bits must be 1 or 2, not " + stopBits);
        }
    }

    /**
     * @param text e.g. {@code 8N1} or {@code 7e1}
     * @throws IllegalArgumentException naming what is wrong
     */
    public static SerialFormat parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        if (t.length() != 3 || !Character.isDigit(t.charAt(0)) || !Character.isDigit(t.charAt(2))) {
            throw new IllegalArgumentException("serial format '" + text + "' is not data bits, parity, stop bits (e.g. 8N1, 7E1)");
        }
        return new SerialFormat(t.charAt(0) - '0', t.charAt(1), t.charAt(2) - '0');
    }

    @Override
    public String toString() {
        return "" + dataBits + parity + stopBits;
    }
}
