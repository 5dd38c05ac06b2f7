package dev.ims.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * The line from the meter's P1 port, opened at a speed and character format: {@link JSerialCommPort} on the Pi (a
 * USB-serial cable, the UART), any other source of bytes in tests. {@link P1Source} opens it, detects the setting and
 * opens it again when it goes away; this interface has no hardware in it.
 */
public interface P1Port {

    /**
     * A serial setting of a P1 port.
     *
     * @param baud bits per second, positive
     */
    record Setting(int baud, SerialFormat format) {

        /** DSMR 4 and 5, e-MUCS (Belgium), Smarty (Luxembourg). */
        public static final Setting DSMR4 = new Setting(115_200, SerialFormat.F8N1);
        /** DSMR 2.2 and 3 (the older Dutch meters). */
        public static final Setting DSMR22 = new Setting(9_600, SerialFormat.F7E1);

        public Setting {
            Objects.requireNonNull(format, "format");
            if (baud <= 0) {
                throw new IllegalArgumentException("baud must be positive, not " + baud);
            }
        }

        @Override
        public String toString() {
            return baud + " " + format;
        }
    }

    /**
     * Opens the line.
     *
     * @return the line's bytes: {@code read} blocks until bytes arrive, or throws {@link java.io.InterruptedIOException}
     *     after a quiet interval (about a second; the reader then checks its deadlines and reads on); end of stream or
     *     any other {@link IOException} means the port went away. Closing the stream closes the port.
     * @throws IOException when the port cannot be opened now (absent, busy, no permission); it is tried again later
     */
    InputStream open(Setting setting) throws IOException;

    /** The port's name for logs, e.g. {@code /dev/ttyUSB0}. */
    String name();
}
