package dev.ims.bridge;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One DSMR P1 telegram (Dutch/Belgian/Luxembourg smart meters, NEN-EN-IEC 62056-21 framing): a header
 * line starting with {@code /}, one COSEM object per line ({@code 1-0:1.8.1(001234.567*kWh)}), and
 * {@code !} followed by the CRC16 of everything from {@code /} to {@code !}.
 *
 * <p>The CRC is required from DSMR 4 on (the telegram names its version in {@code 1-3:0.2.8}, Belgian e-MUCS
 * meters in {@code 0-0:96.1.4}): such a telegram without one is refused, since a line damaged on the wire would
 * otherwise be published. DSMR 2.2/3 telegrams (no version object) end at {@code !} and are taken as they are, but
 * a CRC they carry is checked. Values are read with their unit and converted (Wh/kWh/MWh to kWh, W/kW/MW to W,
 * V/kV, A); a value the bridge uses with a unit it does not know refuses the whole telegram, never a guess.
 */
public final class P1Telegram {

    /** Electricity delivered to the client: the total register (some meters; others give only tariff registers). */
    static final String IMPORT_TOTAL = "1-0:1.8.0";
    static final String POWER_IMPORT = "1-0:1.7.0";
    static final String VOLTAGE_L1 = "1-0:32.7.0";
    static final String CURRENT_L1 = "1-0:31.7.0";
    static final String EQUIPMENT_ID = "0-0:96.1.1";
    /** The DSMR version ({@code 42}, {@code 50}); Belgian meters: {@code 0-0:96.1.4} ({@code 50217}). */
    static final String DSMR_VERSION = "1-3:0.2.8";
    static final String EMUCS_VERSION = "0-0:96.1.4";
    static final String EXPORT_TOTAL = "1-0:2.8.0";
    static final String POWER_EXPORT = "1-0:2.7.0";
    /** Tariff registers 1.8.1 to 1.8.9 (import) and 2.8.1 to 2.8.9 (export): meters have 2 to 4 of them. */
    private static final Pattern IMPORT_TARIFF = Pattern.compile("1-0:1\\.8\\.[1-9]");
    private static final Pattern EXPORT_TARIFF = Pattern.compile("1-0:2\\.8\\.[1-9]");

    /** A quantity the bridge reads, with the factor of each unit a meter may state it in, to the bridge's unit. */
    enum Quantity {
        ENERGY_KWH(Map.of("kWh", 1.0, "Wh", 0.001, "MWh", 1000.0), 1.0),
        POWER_W(Map.of("W", 1.0, "kW", 1000.0, "MW", 1_000_000.0), 1000.0),
        VOLTAGE_V(Map.of("V", 1.0, "kV", 1000.0), 1.0),
        CURRENT_A(Map.of("A", 1.0, "mA", 0.001), 1.0);

        private final Map<String, Double> factors;
        /** The factor of a value given without a unit: DSMR's own unit for it (kWh, kW, V, A). */
        private final double bareFactor;

        Quantity(Map<String, Double> factors, double bareFactor) {
            this.factors = factors;
            this.bareFactor = bareFactor;
        }
    }

    /** The objects the bridge uses, and what they measure: their units are checked at parse. */
    private static Quantity quantityOf(String obis) {
        if (obis.matches("1-0:[12]\\.8\\.\\d")) {
            return Quantity.ENERGY_KWH;
        }
        if (obis.equals(POWER_IMPORT) || obis.equals(POWER_EXPORT)) {
            return Quantity.POWER_W;
        }
        if (obis.matches("1-0:(32|52|72)\\.7\\.0")) {
            return Quantity.VOLTAGE_V;
        }
        if (obis.matches("1-0:(31|51|71)\\.7\\.0")) {
            return Quantity.CURRENT_A;
        }
        return null;
    }

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
     * @throws P1Rejection.RejectedException with the reason when it is malformed, its CRC does not match (or is missing
     *     from a DSMR 4+ telegram) or a value has a unit the bridge cannot convert
     */
    public static P1Telegram parse(String telegram) {
        int start = telegram.indexOf('/');
        int bang = telegram.lastIndexOf('!');
        if (start < 0 || bang < start) {
            throw new P1Rejection.RejectedException(P1Rejection.FRAME, "not a telegram: no '/' ... '!' frame");
        }
        String crcText = telegram.substring(bang + 1).strip();
        if (crcText.isEmpty() && requiresCrc(telegram.substring(start, bang))) {
            throw new P1Rejection.RejectedException(P1Rejection.NOCRC, "no CRC: DSMR 4 and later telegrams must end with one");
        }
        if (!crcText.isEmpty()) {
            if (!crcText.matches("[0-9A-Fa-f]{4}")) {
                throw new P1Rejection.RejectedException(P1Rejection.CRC, "bad CRC field '" + crcText + "'");
            }
            int expected = Integer.parseInt(crcText, 16);
            int actual = crc16(telegram.substring(start, bang + 1).getBytes(StandardCharsets.ISO_8859_1));
            if (expected != actual) {
                throw new P1Rejection.RejectedException(P1Rejection.CRC, String.format("CRC mismatch: telegram says %04X, content gives %04X", expected, actual));
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
        P1Telegram t = new P1Telegram(lines[0].strip(), values);
        for (String obis : values.keySet()) {
            Quantity q = quantityOf(obis);
            if (q != null) {
                t.quantity(obis, q); // refuses an unknown unit
            }
        }
        return t;
    }

    /** Whether the telegram's own version says it is DSMR 4 or later (or a Belgian e-MUCS meter): then it carries a CRC. */
    private static boolean requiresCrc(String body) {
        Matcher dsmr = Pattern.compile("(?m)^1-3:0\\.2\\.8\\((\\d+)\\)").matcher(body);
        if (dsmr.find()) {
            return Integer.parseInt(dsmr.group(1).length() > 2 ? dsmr.group(1).substring(0, 2) : dsmr.group(1)) >= 40;
        }
        return Pattern.compile("(?m)^0-0:96\\.1\\.4\\(").matcher(body).find();
    }

    /**
     * The value of {@code obis} in {@code q}'s unit (kWh, W, V, A), converted from the unit the meter states; null when
     * absent or not a number.
     *
     * @throws P1Rejection.RejectedException ({@link P1Rejection#UNIT}) when the meter states a unit this quantity cannot have
     */
    Double quantity(String obis, Quantity q) {
        String v = values.get(obis);
        if (v == null) {
            return null;
        }
        int star = v.indexOf('*');
        double factor = q.bareFactor;
        if (star >= 0) {
            String unit = v.substring(star + 1).strip();
            Double f = q.factors.get(unit);
            if (f == null) {
                throw new P1Rejection.RejectedException(P1Rejection.UNIT, "unknown unit '" + unit + "' for " + obis + " (expected one of " + q.factors.keySet() + ")");
            }
            factor = f;
        }
        try {
            return Double.parseDouble(star < 0 ? v : v.substring(0, star)) * factor;
        } catch (NumberFormatException e) {
            return null;
        }
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

    /**
     * Energy delivered to the client in kWh: the total register {@code 1.8.0} when the meter gives it, else the sum of
     * every tariff register present ({@code 1.8.1} to {@code 1.8.9}: two on most meters, four on some); null if none.
     */
    public Double importKwh() {
        return register(IMPORT_TOTAL, IMPORT_TARIFF);
    }

    /** Energy the client delivered to the grid (solar), in kWh: {@code 2.8.0}, else the sum of {@code 2.8.1..9}; null if none. */
    public Double exportKwh() {
        return register(EXPORT_TOTAL, EXPORT_TARIFF);
    }

    private Double register(String total, Pattern tariffs) {
        Double t = quantity(total, Quantity.ENERGY_KWH);
        if (t != null) {
            return t;
        }
        Double sum = null;
        for (String obis : values.keySet()) {
            if (tariffs.matcher(obis).matches()) {
                Double v = quantity(obis, Quantity.ENERGY_KWH);
                if (v != null) {
                    sum = (sum == null ? 0 : sum) + v;
                }
            }
        }
        return sum;
    }

    /** Power delivered now, in W (converted from the telegram's unit, usually kW), or null. */
    public Double powerW() {
        Double w = quantity(POWER_IMPORT, Quantity.POWER_W);
        return w == null ? null : Math.round(w * 10) / 10.0;
    }

    /** Power delivered to the grid now, in W, or null. */
    public Double exportPowerW() {
        Double w = quantity(POWER_EXPORT, Quantity.POWER_W);
        return w == null ? null : Math.round(w * 10) / 10.0;
    }

    public Double voltageV() {
        return quantity(VOLTAGE_L1, Quantity.VOLTAGE_V);
    }

    public Double currentA() {
        return quantity(CURRENT_L1, Quantity.CURRENT_A);
    }
}
