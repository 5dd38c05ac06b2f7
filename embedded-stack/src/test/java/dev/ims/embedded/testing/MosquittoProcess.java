package dev.ims.embedded.testing;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Mosquitto process with the project's {@code mosquitto.conf} (queue limits off, persistence on),
 * on a given port and data folder. Mandatory in CI ({@code CI=true}): a missing binary fails there;
 * elsewhere the calling suite is skipped.
 */
public final class MosquittoProcess implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    private final int port;
    private final Path dir;
    private Process process;

    private MosquittoProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Fails in CI, skips elsewhere, when Mosquitto is not installed. */
    public static void requireOrSkip() {
        boolean present = Files.isExecutable(BINARY);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs Mosquitto at " + BINARY + " (apt-get install mosquitto)");
        }
        Assumptions.assumeTrue(present, "Mosquitto is not installed (apt-get install mosquitto): skipping this suite");
    }

    /** @param projectConf the project's mosquitto.conf, whose listener and persistence folder are replaced */
    public static MosquittoProcess start(Path projectConf, int port, Path dir) throws IOException {
        requireOrSkip();
        MosquittoProcess m = new MosquittoProcess(port, dir);
        String conf = Files.readString(projectConf)
                .replace("listener 1883", "listener " + port + " 127.0.0.1")
                .replace("persistence_location ./data/mosquitto/", "persistence_location " + dir.resolve("mosquitto") + "/");
        Files.createDirectories(dir.resolve("mosquitto"));
        Files.writeString(dir.resolve("mosquitto.conf"), conf);
        m.launch();
        return m;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Stops it (SIGTERM: it saves its persistence file) and starts it again on the same port and data. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::listening);
    }

    private void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private boolean listening() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
