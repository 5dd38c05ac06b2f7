package dev.ims.launcher;

import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.portal.device.BrokerAccountsChoice;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
        // What ./ims mosquitto-init leaves for the stack: the services' identities (known to Mosquitto) and the admin
        // identity the portal manages the meters' accounts with.
        Path stackDir = dir.resolve("stack");
        ServiceCredentials.write(stackDir, mosquitto.ingest(ImsSettings.DEFAULT_INGEST_GROUP + "-local"));
        ServiceCredentials.write(stackDir, mosquitto.portal("ims-portal"));
        ServiceCredentials.write(stackDir, mosquitto.monitor(dev.ims.portal.broker.BrokerMonitor.MONITOR_IDENTITY));
        ServiceCredentials.writeTo(ServiceCredentials.file(stackDir, BrokerAccountsChoice.ADMIN_IDENTITY), mosquitto.admin());
        startStack(mosquitto.url(), stackDir);
    }

    /** Expiry is the portal's and the ingest's work: waited out once, on the embedded stack (EmbeddedPipelineIT). */
    @Override
    boolean checksExpiryEndToEnd() {
        return false;
    }

    @AfterAll
    static void stopMosquitto() throws Exception {
        stopStack();
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @Test
    void brokerAndPipeline_areMonitored_throughTheMonitoringIdentity() throws Exception {
        assertBrokerAndPipelineMonitored();
    }
}
