package dev.ims.agent;

import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Signed relay commands over the embedded broker. */
class SignedCommandsIT extends SignedCommandsContract {

    @TempDir
    static Path dir;

    static EmbeddedBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")));
        startMeter(broker.url(), dir.resolve("data"));
    }

    @AfterAll
    static void stop() {
        stopMeter();
        if (broker != null) {
            broker.close();
        }
    }
}
