package dev.ims.ingest;

import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.security.Credential;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The faults on a real Mosquitto process with the project's mosquitto.conf (persistence on, no queue limits, dynamic
 * security: every client under its own identity).
 */
class MosquittoIngestFaultsIT extends IngestFaultsContract {

    static MosquittoProcess mosquitto;

    @BeforeAll
    static void start() throws Exception {
        mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir.resolve("mosquitto-run"));
        broker = new Broker() {
            @Override
            public String url() {
                return mosquitto.url();
            }

            @Override
            public int port() {
                return mosquitto.port();
            }

            @Override
            public void restart() throws Exception {
                mosquitto.restart();
            }

            @Override
            public Credential ingest(String name) {
                return mosquitto.ingest(name);
            }

            @Override
            public Credential meter(String meterId) {
                return mosquitto.meter(meterId);
            }
        };
        startStore();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @Override
    boolean spreadsSharedSubscriptions() {
        return true;
    }
}
