package dev.ims.bridge;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A pair of pseudo-terminals joined by socat, as a P1 cable seen from both ends: the test writes what the meter sends
 * to {@link #meter()}, the bridge opens {@link #port()} with jSerialComm. {@link #kill()} makes the port go away as an
 * unplugged USB cable does (the device node disappears, reads end); {@link #start()} brings it back on the same path.
 */
final class SocatPty implements AutoCloseable {

    static final Path SOCAT = Path.of("/usr/bin/socat");

    private final Path dir;
    private Process process;

    SocatPty(Path dir) {
        this.dir = dir;
    }

    static boolean available() {
        return Files.isExecutable(SOCAT);
    }

    Path meter() {
        return dir.resolve("meter");
    }

    Path port() {
        return dir.resolve("p1");
    }

    SocatPty start() throws IOException {
        Files.deleteIfExists(meter());
        Files.deleteIfExists(port());
        process = new ProcessBuilder(SOCAT.toString(), "-d", "-d", "pty,raw,echo=0,link=" + meter(), "pty,raw,echo=0,link=" + port())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("socat.log").toFile()))
                .start();
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(meter()) && Files.exists(port()));
        return this;
    }

    /** Writes as the meter: the bytes come out at {@link #port()}. */
    void write(byte[] bytes) throws IOException {
        try (OutputStream out = Files.newOutputStream(meter(), StandardOpenOption.WRITE)) {
            out.write(bytes);
        }
    }

    /** Ends socat: both ptys vanish; the link paths dangle or are removed. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process = null;
        }
        // The pty device nodes go with socat; the links are removed or left dangling.
        await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(port()));
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
