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

    @Test
    void publishOverTheMaximumPacketSize_isRefused_whileA16KiBReadingGoesThrough() {
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")))) {
            List<Integer> received = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient sub = Mqtt5Client.builder().identifier("ims-ingest-size").serverHost("127.0.0.1").serverPort(broker.port())
                    .buildBlocking();
            sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> received.add(p.getPayloadAsBytes().length));
            sub.connect();
            sub.subscribeWith().topicFilter("meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send();
            // MQTT 3.1.1 has no maximum packet size in CONNACK, so this client sends what the broker must refuse.
            Mqtt3BlockingClient meter = Mqtt3Client.builder().identifier("IMS-SIZE-1").serverHost("127.0.0.1").serverPort(broker.port())
                    .buildBlocking();
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
            Mqtt5BlockingClient meter5 = Mqtt5Client.builder().identifier("IMS-SIZE-2").serverHost("127.0.0.1").serverPort(broker.port())
                    .buildBlocking();
            assertThat(meter5.connect().getRestrictions().getMaximumPacketSize()).isEqualTo(EmbeddedBrokerOptions.DEFAULT_MAX_PACKET_SIZE);
            assertThatThrownBy(() -> meter5.publishWith().topic("meters/IMS-SIZE-2/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[100 * 1024]).send()).isInstanceOf(RuntimeException.class);
            meter5.disconnect();
            sub.disconnect();
        }
    }

    @Test
    void meterAskingForALongSessionExpiry_getsTheCap_evenOnDisconnect_whileTheIngestKeepsItsSession() {
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withMaxSessionExpiry(CAP))) {
            Mqtt5BlockingClient meter = client5("IMS-EXPIRY-1", broker);
            Mqtt5BlockingClient raiser = client5("IMS-EXPIRY-2", broker);
            Mqtt3BlockingClient meter3 = Mqtt3Client.builder().identifier("IMS-EXPIRY-3").serverHost("127.0.0.1").serverPort(broker.port())
                    .buildBlocking();
            Mqtt5BlockingClient ingest = client5("ims-ingest-expiry", broker);
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
        EmbeddedBrokerOptions options = EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withMaxClientQueue(5);
        EmbeddedBroker broker = EmbeddedBroker.start(options);
        int port = broker.port();
        Mqtt5BlockingClient meter = client5("IMS-QUEUE-1", broker);
        Mqtt5BlockingClient ingest = client5("ims-ingest-queue", broker);
        for (Mqtt5BlockingClient c : List.of(meter, ingest)) {
            c.connectWith().cleanStart(false).sessionExpiryInterval(600).send();
            c.subscribeWith().topicFilter("meters/all/command").qos(MqttQos.AT_LEAST_ONCE).send();
            c.disconnect();
        }
        broker.close();

        try (EmbeddedBroker restarted = EmbeddedBroker.start(options.withPort(port))) {
            Mqtt5BlockingClient pub = client5("IMS-QUEUE-PUB", restarted);
            pub.connect();
            for (int i = 0; i < 20; i++) {
                pub.publishWith().topic("meters/all/command").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {(byte) i}).send();
            }
            pub.disconnect();
            List<Byte> toMeter = new CopyOnWriteArrayList<>();
            List<Byte> toIngest = new CopyOnWriteArrayList<>();
            meter = client5("IMS-QUEUE-1", restarted);
            ingest = client5("ims-ingest-queue", restarted);
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

    private static Mqtt5BlockingClient client5(String id, EmbeddedBroker broker) {
        return Mqtt5Client.builder().identifier(id).serverHost("127.0.0.1").serverPort(broker.port()).buildBlocking();
    }
}
