package dev.ims.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

/**
 * The telegram corpus in {@code src/test/resources/p1}: per case the bytes a meter sends ({@code NAME.p1}) and, written
 * by hand from the specifications, what must come of them ({@code NAME.expected.properties}): {@code parse} (valid, or
 * the {@link P1Rejection} of {@link P1Telegram#parse}), {@code source} (valid, the rejection {@link P1Source} counts, or
 * none) and, for valid telegrams, importKwh, exportKwh, powerW, exportPowerW, voltageV, currentA ({@code none} when
 * absent). See the corpus's README.md.
 */
record P1Corpus(String name, byte[] bytes, Properties expected) {

    /** Every case; the test fails when a file is missing, so none is skipped silently. */
    static final List<String> NAMES = List.of("dsmr22", "dsmr3", "dsmr42", "dsmr5", "fluvius-emucs", "smarty", "wh-unit", "four-tariff",
            "three-phase-export", "no-import", "bad-crc", "dsmr5-no-crc", "unknown-unit", "truncated", "garbage", "runaway");

    static P1Corpus load(String name) {
        Properties p = new Properties();
        try (InputStream telegram = resource(name + ".p1"); InputStream expected = resource(name + ".expected.properties")) {
            p.load(expected);
            return new P1Corpus(name, telegram.readAllBytes(), p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String file) throws IOException {
        InputStream in = P1Corpus.class.getResourceAsStream("/p1/" + file);
        if (in == null) {
            throw new IOException("corpus file p1/" + file + " missing");
        }
        return in;
    }

    String text() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    String parse() {
        return expected.getProperty("parse");
    }

    String source() {
        return expected.getProperty("source");
    }

    /** An expected value: null for {@code none}; fails when the file does not state it. */
    Double value(String key) {
        String v = expected.getProperty(key);
        if (v == null) {
            throw new IllegalStateException(name + ".expected.properties does not state " + key);
        }
        return v.strip().equals("none") ? null : Double.valueOf(v.strip());
    }

    @Override
    public String toString() {
        return name;
    }
}
