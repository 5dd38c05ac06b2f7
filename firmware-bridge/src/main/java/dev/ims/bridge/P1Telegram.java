package dev.ims.bridge;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One DSMR P1 telegram (Dutch/Belgian/Luxembourg smart meters, NEN-EN-IEC 62056-21 framing): a header
 * line starting with {@code /}, one COSEM object per line ({@code 1-0:1.8.1(001234.567*kWh)}), and
 * {@code !} followed by the CRC16 of everything from {@code /} to {@code !} (DSMR 4 and later; DSMR 2/3
 * telegrams end at {@code !} without one).
 */
public final class P1Telegram {

    /** Electricity delivered to the client, tariff 1 and 2 (DSMR 4/5), or total (some meters). */
    static final String IMPORT_T1 = "1-0:1.8.1";
    static final String IMPORT_T2 = "1-0:1.8.2";
    static final String IMPORT_TOTAL = "1-0:1.8.0";
    static final String POWER_IMPORT = "1-0:1.7.0";
    static final String VOLTAGE_L1 = "1-0:32.7.0";
    static final String CURRENT_L1 = "1-0:31.7.0";
    static final String EQUIPMENT_ID = "0-0:96.1.1";

    private static final Pattern LINE = Pattern.compile("^(\\d+-\\d+:\\d+\\.\\d+\\.\\d+)((?:\\([^()]*\\))+)\\s*$");
    private static final Pattern GROUP = Pattern.compile("\\(([^()]*)\\)");

    private final String header;
    private final Map<String, String> values;

    private P1Telegram(String header, Map<String, String> values) {
        this.header = header;
        this.values = values;
    }

    /**
     * Parses and checks one telegram, from {@code /} to the end of the CRC line.
     *
     * @throws IllegalArgumentException with the reason when it is malformed or its CRC does not match
     */
    public static P1Telegram parse(String telegram) {
        int start = telegram.indexOf('/');
        int bang = telegram.lastIndexOf('!');
        if (start < 0 || bang < start) {
            throw new IllegalArgumentException("not a telegram: no '/' ... '!' frame");
        }
        String crcText = telegram.substring(bang + 1).strip();
        if (!crcText.isEmpty()) {
            if (!crcText.matches("[0-9A-Fa-f]{4}")) {
                throw new IllegalArgumentException("bad CRC field '" + crcText + "'");
            }
            int expected = Integer.parseInt(crcText, 16);
            int actual = crc16(telegram.substring(start, bang + 1).getBytes(StandardCharsets.ISO_8859_1));
            if (expected != actual) {
                throw new IllegalArgumentException(String.format("CRC mismatch: telegram says %04X, content gives %04X", expected, actual));
            }
        }
        String[] lines = telegram.substring(start, bang).split("\r?\n");
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            Matcher m = LINE.matcher(lines[i]);
            if (m.matches()) {
                Matcher g = GROUP.matcher(m.group(2));
                String last = null;
                while (g.find()) {
                    last = g.group(1);
                }
                values.put(m.group(1), last);
            }
        }
        return new P1Telegram(lines[0].strip(), values);
    }

    /** CRC-16/ARC (polynomial 0x8005 reflected as 0xA001, initial 0), as DSMR specifies. */
    static int crc16(byte[] data) {
        int crc = 0;
        for (byte b : data) {
            crc ^= b & 0xFF;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xA001 : crc >>> 1;
            }
        }
        return crc & 0xFFFF;
    }

    public String header() {
        return header;
    }

    /** The raw value of an object, unit included ({@code 001234.567*kWh}), or null. */
    public String raw(String obis) {
        return values.get(obis);
    }

    /** The number of an object without its unit, or null when absent or not a number. */
    public Double number(String obis) {
        String v = values.get(obis);
        if (v == null) {
            return null;
        }
        int star = v.indexOf('*');
        try {
            return Double.parseDouble(star < 0 ? v : v.substring(0, star));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Energy delivered to the client in kWh: tariff 1 + tariff 2, or the total register; null if neither. */
    public Double importKwh() {
        Double t1 = number(IMPORT_T1);
        Double t2 = number(IMPORT_T2);
        if (t1 != null || t2 != null) {
            return (t1 == null ? 0 : t1) + (t2 == null ? 0 : t2);
        }
        return number(IMPORT_TOTAL);
    }

    /** Power delivered now, in W (the telegram gives kW), or null. */
    public Double powerW() {
        Double kw = number(POWER_IMPORT);
        return kw == null ? null : Math.round(kw * 1000 * 10) / 10.0;
    }

    public Double voltageV() {
        return number(VOLTAGE_L1);
    }

    public Double currentA() {
        return number(CURRENT_L1);
    }
}
