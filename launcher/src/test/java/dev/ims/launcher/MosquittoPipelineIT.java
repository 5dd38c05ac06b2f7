package dev.ims.launcher;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ims.embedded.FreePorts;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a real Mosquitto process started here on a free port with the project's
 * mosquitto.conf settings. Mandatory in CI (CI=true): a missing binary fails there; elsewhere the suite
 * skips with a message.
 */
class MosquittoPipelineIT extends PipelineContract {

    static final Path BINARY = Path.of("/usr/sbin/mosquitto");

    @TempDir
    static Path dir;

    static Process mosquitto;

    @BeforeAll
    static void start() throws Exception {
        boolean present = Files.isExecutable(BINARY);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs Mosquitto at " + BINARY + " (apt-get install mosquitto)");
        }
        assumeTrue(present, "Mosquitto is not installed (apt-get install mosquitto): skipping the Mosquitto suite");
        int port = FreePorts.resolve(0);
        Path project = Path.of("..").toAbsolutePath().normalize();
        String conf = Files.readString(project.resolve("mosquitto.conf"))
                .replace("listener 1883", "listener " + port + " 127.0.0.1")
                .replace("persistence_location ./data/mosquitto/", "persistence_location " + dir.resolve("mosquitto") + "/");
        Files.createDirectories(dir.resolve("mosquitto"));
        Path confFile = dir.resolve("mosquitto.conf");
        Files.writeString(confFile, conf);
        mosquitto = new ProcessBuilder(BINARY.toString(), "-c", confFile.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> listening(port));
        startStack("tcp://127.0.0.1:" + port, dir.resolve("stack"));
    }

    @AfterAll
    static void stopMosquitto() throws Exception {
        stopStack();
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
