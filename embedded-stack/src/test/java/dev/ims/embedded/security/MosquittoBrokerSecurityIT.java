package dev.ims.embedded.security;

import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.security.Credential;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security contract on Mosquitto 2.0 with the project's mosquitto.conf and the dynamic-security plugin. Mosquitto
 * answers every refused CONNECT with {@code NOT_AUTHORIZED} (0x87), whatever the reason, and closes a revoked meter's
 * connection with DISCONNECT {@code ADMINISTRATIVE_ACTION} (0x98).
 */
class MosquittoBrokerSecurityIT extends BrokerSecurityContract {

    @TempDir
    static Path dir;

    private MosquittoProcess mosquitto;

    @Override
    protected SecuredBroker startBroker() throws Exception {
        MosquittoProcess.requireOrSkip();
        mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir);
        MosquittoProcess m = mosquitto;
        return new SecuredBroker() {
            @Override
            public int port() {
                return m.port();
            }

            @Override
            public Credential meter(String meterId) {
                return m.meter(meterId);
            }

            @Override
            public Credential ingest(String name) {
                return m.ingest(name);
            }

            @Override
            public Credential portal(String name) {
                return m.portal(name);
            }

            @Override
            public Credential monitor(String name) {
                return m.monitor(name);
            }

            @Override
            public void revokeMeter(String meterId) {
                m.revokeMeter(meterId);
            }

            @Override
            public void close() throws Exception {
                m.close();
            }
        };
    }

    @Override
    protected Mqtt5ConnAckReasonCode badCredentialCode() {
        return Mqtt5ConnAckReasonCode.NOT_AUTHORIZED;
    }

    @Override
    protected Mqtt5ConnAckReasonCode wrongClientIdCode() {
        return Mqtt5ConnAckReasonCode.NOT_AUTHORIZED;
    }

    @Override
    protected boolean disconnectsOnRefusedPublish() {
        return false;
    }

    @Override
    protected Mqtt5DisconnectReasonCode revokedCode() {
        return Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION;
    }
}
