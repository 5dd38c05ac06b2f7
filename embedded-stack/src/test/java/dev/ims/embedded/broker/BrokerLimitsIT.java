package dev.ims.embedded.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's resource limits, on a real broker over TCP with real MQTT 3.1.1 and 5 clients. */
class BrokerLimitsIT {

    /** A session expiry short enough to wait out in a test. */
    private static final Duration CAP = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private final BrokerIdentities identities = new BrokerIdentities();

    private EmbeddedBrokerOptions options() {
        return EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(identities.security());
    }

    @Test
    void publishOverTheMaximumPacketSize_isRefused_whileA16KiBReadingGoesThrough() {
        try (EmbeddedBroker broker = EmbeddedBroker.start(options())) {
            List<Integer> received = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient sub = client5(identities.ingest("ims-ingest-size"), broker);
            sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> received.add(p.getPayloadAsBytes().length));
            sub.connect();
            sub.subscribeWith().topicFilter("meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send();
            // MQTT 3.1.1 has no maximum packet size in CONNACK, so this client sends what the broker must refuse.
            Mqtt3BlockingClient meter = client3(identities.meter("IMS-SIZE-1"), broker);
            meter.connect();

            meter.publishWith().topic("meters/IMS-SIZE-1/reading").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[16 * 1024]).send();
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains(16 * 1024));

            assertThatThrownBy(() -> meter.publishWith().topic("meters/IMS-SIZE-1/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[EmbeddedBrokerOptions.DEFAULT_MAX_PACKET_SIZE]).send())
                    .as("64 KiB of payload plus the header exceed the limit: the broker closes the connection")
                    .isInstanceOf(RuntimeException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> !meter.getState().isConnected());
            assertThat(received).containsExactly(16 * 1024);

            // An MQTT 5 client learns the limit from the CONNACK and does not even send it.
            Mqtt5BlockingClient meter5 = client5(identities.meter("IMS-SIZE-2"), broker);
            assertThat(meter5.connect().getRestrictions().getMaximumPacketSize()).isEqualTo(EmbeddedBrokerOptions.DEFAULT_MAX_PACKET_SIZE);
            assertThatThrownBy(() -> meter5.publishWith().topic("meters/IMS-SIZE-2/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[100 * 1024]).send()).isInstanceOf(RuntimeException.class);
            meter5.disconnect();
            sub.disconnect();
        }
    }

    @Test
    void meterAskingForALongSessionExpiry_getsTheCap_evenOnDisconnect_whileTheIngestKeepsItsSession() {
        try (EmbeddedBroker broker = EmbeddedBroker.start(options().withMaxSessionExpiry(CAP))) {
            Mqtt5BlockingClient meter = client5(identities.meter("IMS-EXPIRY-1"), broker);
            Mqtt5BlockingClient raiser = client5(identities.meter("IMS-EXPIRY-2"), broker);
            Mqtt3BlockingClient meter3 = client3(identities.meter("IMS-EXPIRY-3"), broker);
            Mqtt5BlockingClient ingest = client5(identities.ingest("ims-ingest-expiry"), broker);
            meter.connectWith().cleanStart(false).sessionExpiryInterval(Duration.ofDays(7).toSeconds()).send();
            meter.disconnect();
            raiser.connectWith().cleanStart(false).sessionExpiryInterval(1).send();
            raiser.disconnectWith().sessionExpiryInterval(Duration.ofDays(7).toSeconds()).send();
            meter3.connectWith().cleanSession(false).send();
            meter3.disconnect();
            ingest.connectWith().cleanStart(false).sessionExpiryInterval(Duration.ofDays(7).toSeconds()).send();
            ingest.disconnect();

            await().pollDelay(CAP.multipliedBy(2)).atMost(CAP.multipliedBy(3)).until(() -> true);

            assertThat(meter.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().isSessionPresent())
                    .as("a meter's week-long session, capped").isFalse();
            assertThat(raiser.connectWith().cleanStart(false).sessionExpiryInterval(1).send().isSessionPresent())
                    .as("a session raised to a week on DISCONNECT, capped").isFalse();
            assertThat(meter3.connectWith().cleanSession(false).send().isSessionPresent())
                    .as("an MQTT 3.1.1 persistent session (no expiry of its own), capped").isFalse();
            assertThat(ingest.connectWith().cleanStart(false).sessionExpiryInterval(Duration.ofDays(7).toSeconds()).send().isSessionPresent())
                    .as("the ingest's session, kept").isTrue();
            meter.disconnect();
            raiser.disconnect();
            meter3.disconnect();
            ingest.disconnect();
        }
    }

    @Test
    void meterSessionsQueue_isCapped_whileTheIngestsHoldsTheWholeBacklog_acrossABrokerRestart() {
        EmbeddedBrokerOptions options = options().withMaxClientQueue(5);
        Credential meterId = identities.meter("IMS-QUEUE-1");
        Credential ingestId = identities.ingest("ims-ingest-queue");
        Credential publisherId = identities.meter("IMS-QUEUE-PUB");
        Credential portalId = identities.portal("ims-portal-queue");
        EmbeddedBroker broker = EmbeddedBroker.start(options);
        int port = broker.port();
        Mqtt5BlockingClient meter = client5(meterId, broker);
        meter.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
        meter.subscribeWith().topicFilter("meters/IMS-QUEUE-1/command").qos(MqttQos.AT_LEAST_ONCE).send();
        meter.disconnect();
        Mqtt5BlockingClient ingest = client5(ingestId, broker);
        ingest.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
        ingest.subscribeWith().topicFilter("meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send();
        ingest.disconnect();
        broker.close();

        try (EmbeddedBroker restarted = EmbeddedBroker.start(options.withPort(port))) {
            Mqtt5BlockingClient portal = client5(portalId, restarted);
            Mqtt5BlockingClient pub = client5(publisherId, restarted);
            portal.connect();
            pub.connect();
            for (int i = 0; i < 20; i++) {
                portal.publishWith().topic("meters/IMS-QUEUE-1/command").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) i}).send();
                pub.publishWith().topic("meters/IMS-QUEUE-PUB/reading").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) i}).send();
            }
            portal.disconnect();
            pub.disconnect();
            List<Byte> toMeter = new CopyOnWriteArrayList<>();
            List<Byte> toIngest = new CopyOnWriteArrayList<>();
            meter = client5(meterId, restarted);
            ingest = client5(ingestId, restarted);
            meter.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> toMeter.add(p.getPayloadAsBytes()[0]));
            ingest.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> toIngest.add(p.getPayloadAsBytes()[0]));
            assertThat(meter.connectWith().cleanStart(false).sessionExpiryInterval(600).send().isSessionPresent()).isTrue();
            assertThat(ingest.connectWith().cleanStart(false).sessionExpiryInterval(600).send().isSessionPresent()).isTrue();

            await().atMost(Duration.ofSeconds(10)).until(() -> toIngest.size() == 20);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> toMeter.size() == 5);
            assertThat(toMeter).as("the first five queued; the newer ones dropped").containsExactly((byte) 0, (byte) 1, (byte) 2, (byte) 3, (byte) 4);
            meter.disconnect();
            ingest.disconnect();
        }
    }

    private static Mqtt5BlockingClient client5(Credential c, EmbeddedBroker broker) {
        return Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
    }

    private static Mqtt3BlockingClient client3(Credential c, EmbeddedBroker broker) {
        return Mqtt3Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
    }
}
