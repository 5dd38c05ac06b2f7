package dev.ims.bridge;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A serial line for tests: two pseudo-terminals joined by socat, reached through the links {@link #meterEnd()}
 * and {@link #bridgeEnd()}. {@link #stop()} kills socat, so both ends vanish as an unplugged USB stick does;
 * {@link #start()} makes a new pair on the same links.
 */
final class SocatPtyPair implements AutoCloseable {

    static final Path SOCAT = Path.of("/usr/bin/socat");

    private final Path dir;
    private final Path meterEnd;
    private final Path bridgeEnd;
    private Process socat;

    SocatPtyPair(Path dir) {
        this.dir = dir;
        this.meterEnd = dir.resolve("meter");
        this.bridgeEnd = dir.resolve("bridge");
    }

    static boolean available() {
        return Files.isExecutable(SOCAT);
    }

    Path meterEnd() {
        return meterEnd;
    }

    Path bridgeEnd() {
        return bridgeEnd;
    }

    /** Starts socat and waits until both links exist. */
    SocatPtyPair start() throws IOException {
        socat = new ProcessBuilder(SOCAT.toString(), "-d", "-d",
                "pty,raw,echo=0,link=" + meterEnd, "pty,raw,echo=0,link=" + bridgeEnd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("socat.log").toFile()))
                .start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> Files.exists(meterEnd) && Files.exists(bridgeEnd) || !socat.isAlive());
        if (!socat.isAlive()) {
            throw new IOException("socat exited with " + socat.exitValue() + ": see " + dir.resolve("socat.log"));
        }
        return this;
    }

    /** Kills socat (SIGTERM: it removes its links itself) and waits until it has gone; no link is left behind. */
    void stop() throws InterruptedException, IOException {
        if (socat != null && socat.isAlive()) {
            socat.destroy();
            if (!socat.waitFor(5, TimeUnit.SECONDS)) {
                socat.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        Files.deleteIfExists(meterEnd);
        Files.deleteIfExists(bridgeEnd);
    }

    @Override
    public void close() throws InterruptedException, IOException {
        stop();
    }
}
