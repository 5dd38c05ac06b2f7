package dev.ims.agent;

import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
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
        BrokerIdentities ids = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        startMeter(broker.url(), dir.resolve("data"), new Identities() {
            @Override
            public Credential meter(String meterId, String secret) {
                return ids.meter(meterId, secret);
            }

            @Override
            public Credential portal(String name) {
                return ids.portal(name);
            }

            @Override
            public Credential ingest(String name) {
                return ids.ingest(name);
            }
        });
    }

    @AfterAll
    static void stop() {
        stopMeter();
        if (broker != null) {
            broker.close();
        }
    }
}
