package dev.ims.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Writes the CRC into the telegrams of the corpus ({@code src/test/resources/p1}) that end in the placeholder
 * {@code !XXXX}, with the project's own CRC code ({@link P1Telegram#crc16}); run once when a telegram is added:
 *
 * <pre>java -cp target/classes:target/test-classes dev.ims.bridge.P1CorpusSigner src/test/resources/p1</pre>
 *
 * The CRCs were written by this, the expected readings beside them by hand; {@link P1CorpusTest} then checks every CRC
 * as a meter's telegram is checked, so a CRC computed wrongly here fails there against the catalogue check value.
 */
final class P1CorpusSigner {

    static final String PLACEHOLDER = "!XXXX";

    private P1CorpusSigner() {}

    /** The telegram with its placeholder replaced by the CRC of everything from {@code /} to {@code !}. */
    static String sign(String telegram) {
        int bang = telegram.indexOf(PLACEHOLDER);
        if (bang < 0) {
            return telegram;
        }
        int start = telegram.indexOf('/');
        int crc = P1Telegram.crc16(telegram.substring(start, bang + 1).getBytes(StandardCharsets.ISO_8859_1));
        return telegram.substring(0, bang + 1) + String.format("%04X", crc) + telegram.substring(bang + PLACEHOLDER.length());
    }

    public static void main(String[] args) throws IOException {
        try (Stream<Path> files = Files.list(Path.of(args[0]))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".p1")).sorted().toList()) {
                String t = Files.readString(f, StandardCharsets.ISO_8859_1);
                String signed = sign(t);
                if (!signed.equals(t)) {
                    Files.writeString(f, signed, StandardCharsets.ISO_8859_1);
                    System.out.println("signed " + f.getFileName());
                }
            }
        }
    }
}
