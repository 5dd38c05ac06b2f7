package dev.ims.agent;

import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.security.Credential;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed relay commands over a real Mosquitto started here on a free port with the project's
 * mosquitto.conf. Mandatory in CI (CI=true); elsewhere skipped when Mosquitto is not installed.
 */
class MosquittoSignedCommandsIT extends SignedCommandsContract {

    @TempDir
    static Path dir;

    static MosquittoProcess mosquitto;

    @BeforeAll
    static void start() throws Exception {
        MosquittoProcess.requireOrSkip();
        mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir.resolve("mosquitto"));
        startMeter(mosquitto.url(), dir.resolve("data"), new Identities() {
            @Override
            public Credential meter(String meterId, String secret) {
                return mosquitto.meter(meterId, secret);
            }

            @Override
            public Credential portal(String name) {
                return mosquitto.portal(name);
            }

            @Override
            public Credential ingest(String name) {
                return mosquitto.ingest(name);
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        stopMeter();
        if (mosquitto != null) {
            mosquitto.close();
        }
    }
}
