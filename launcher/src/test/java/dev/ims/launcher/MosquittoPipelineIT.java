package dev.ims.launcher;

import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline against a real Mosquitto process started here on a free port with the project's
 * mosquitto.conf settings. Mandatory in CI (CI=true): a missing binary fails there; elsewhere the suite
 * skips with a message.
 */
class MosquittoPipelineIT extends PipelineContract {

    @TempDir
    static Path dir;

    static MosquittoProcess mosquitto;

    @BeforeAll
    static void start() throws Exception {
        mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir);
        startStack(mosquitto.url(), dir.resolve("stack"));
    }

    @AfterAll
    static void stopMosquitto() throws Exception {
        stopStack();
        if (mosquitto != null) {
            mosquitto.close();
        }
    }
}
