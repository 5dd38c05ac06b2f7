package dev.ims.bridge;

import com.fazecast.jSerialComm.SerialPort;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A P1 port on a serial device, opened from Java with jSerialComm: speed, data bits, parity and stop bits are set at
 * every open (no {@code stty} beforehand). A pseudo-terminal path works as well, which the tests use.
 *
 * <p>Reads are semi-blocking with {@link #DEFAULT_READ_TIMEOUT}: a read returns as soon as bytes are there, or throws
 * jSerialComm's {@code SerialPortTimeoutException} (an {@link java.io.InterruptedIOException}) after that quiet time,
 * as {@link P1Port#open} allows. When the device goes away (cable pulled, pty closed) the stream ends or fails.
 */
public final class JSerialCommPort implements P1Port {

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(500);

    private final Path device;
    private final Duration readTimeout;

    public JSerialCommPort(Path device) {
        this(device, DEFAULT_READ_TIMEOUT);
    }

    public JSerialCommPort(Path device, Duration readTimeout) {
        this.device = device;
        this.readTimeout = readTimeout;
    }

    @Override
    public InputStream open(Setting setting) throws IOException {
        if (!Files.exists(device)) {
            throw new IOException("no such device");
        }
        SerialPort port;
        try {
            // Resolves a symbolic link (/dev/serial/by-id/…, a test's pty link) now: a port that comes back is opened anew.
            port = SerialPort.getCommPort(device.toString());
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
        SerialFormat f = setting.format();
        port.setComPortParameters(setting.baud(), f.dataBits(), f.stopBits() == 2 ? SerialPort.TWO_STOP_BITS : SerialPort.ONE_STOP_BIT,
                switch (f.parity()) {
                    case 'E' -> SerialPort.EVEN_PARITY;
                    case 'O' -> SerialPort.ODD_PARITY;
                    default -> SerialPort.NO_PARITY;
                });
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, (int) Math.max(1, readTimeout.toMillis()), 0);
        if (!port.openPort()) {
            int errno = port.getLastErrorCode();
            throw new IOException(switch (errno) {
                case 13 -> "permission denied (is the bridge's user in group dialout?)";
                case 16 -> "busy (another program has it open)";
                case 2, 6, 19 -> "no such device";
                default -> "cannot open it (errno " + errno + ")";
            });
        }
        return new FilterInputStream(port.getInputStream()) {
            @Override
            public void close() {
                port.closePort();
            }
        };
    }

    @Override
    public String name() {
        return device.toString();
    }

    @Override
    public String toString() {
        return "serial port " + device;
    }
}
