package dev.ims.embedded.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.broker.Refusals;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security contract on the embedded HiveMQ CE broker, which also counts what it refuses. */
class EmbeddedBrokerSecurityIT extends BrokerSecurityContract {

    @TempDir
    static Path dir;

    private EmbeddedBroker embedded;

    @Override
    protected SecuredBroker startBroker() {
        BrokerIdentities identities = new BrokerIdentities();
        embedded = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(identities.security()));
        EmbeddedBroker b = embedded;
        return new SecuredBroker() {
            @Override
            public int port() {
                return b.port();
            }

            @Override
            public Credential meter(String meterId) {
                return identities.meter(meterId);
            }

            @Override
            public Credential ingest(String name) {
                return identities.ingest(name);
            }

            @Override
            public Credential portal(String name) {
                return identities.portal(name);
            }

            @Override
            public Credential monitor(String name) {
                return identities.monitor(name);
            }

            @Override
            public void revokeMeter(String meterId) {
                identities.revokeMeter(meterId);
                b.disconnect(meterId).join();
            }

            @Override
            public void close() {
                b.close();
            }
        };
    }

    @Override
    protected Mqtt5ConnAckReasonCode badCredentialCode() {
        return Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD;
    }

    @Override
    protected Mqtt5ConnAckReasonCode wrongClientIdCode() {
        return Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID;
    }

    /** Measured on HiveMQ CE 2025.5: after PUBACK NOT_AUTHORIZED it also sends DISCONNECT NOT_AUTHORIZED, to MQTT 5 clients too. */
    @Override
    protected boolean disconnectsOnRefusedPublish() {
        return true;
    }

    @Override
    protected Mqtt5DisconnectReasonCode revokedCode() {
        return Mqtt5DisconnectReasonCode.NOT_AUTHORIZED;
    }

    @Test
    void refusals_countEachRefusedConnectionPublishAndSubscription() {
        Credential meter = broker.meter("IMS-COUNT-1");
        Refusals before = embedded.refusals();

        connackOf(client("IMS-COUNT-1", null));
        connackOf(client("IMS-COUNT-1", new Credential("IMS-COUNT-1", "wrong")));
        assertPublishRefused(meter, "meters/IMS-OTHER-1/reading");
        Mqtt5BlockingClient c = connected(meter, new CopyOnWriteArrayList<>());
        assertThat(subscribeCode(c, "#")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(subscribeCode(c, "meters/+/reading")).isEqualTo(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);

        Refusals after = embedded.refusals();
        assertThat(new Refusals(after.connects() - before.connects(), after.publishes() - before.publishes(),
                after.subscribes() - before.subscribes())).isEqualTo(new Refusals(2, 1, 2));
    }
}
