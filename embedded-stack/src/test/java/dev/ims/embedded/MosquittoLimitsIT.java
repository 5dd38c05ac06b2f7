package dev.ims.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The project's mosquitto.conf limits, on a real Mosquitto process. */
class MosquittoLimitsIT {

    @TempDir
    Path dir;

    @Test
    void publishOverTheMaximumPacketSize_isRefused_whileA16KiBReadingGoesThrough() throws Exception {
        try (MosquittoProcess mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir)) {
            List<Integer> received = new CopyOnWriteArrayList<>();
            Mqtt5BlockingClient sub = client5(mosquitto.ingest("ims-ingest-size"), mosquitto);
            sub.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> received.add(p.getPayloadAsBytes().length));
            assertThat(sub.connect().getRestrictions().getMaximumPacketSize()).isEqualTo(65536);
            sub.subscribeWith().topicFilter("meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send();
            Mqtt3BlockingClient meter = client3(mosquitto.meter("IMS-SIZE-1"), mosquitto);
            meter.connect();

            meter.publishWith().topic("meters/IMS-SIZE-1/reading").qos(MqttQos.AT_LEAST_ONCE).payload(new byte[16 * 1024]).send();
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains(16 * 1024));

            assertThatThrownBy(() -> meter.publishWith().topic("meters/IMS-SIZE-1/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[65536]).send()).isInstanceOf(RuntimeException.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> !meter.getState().isConnected());
            assertThat(received).containsExactly(16 * 1024);
            sub.disconnect();
        }
    }

    private static Mqtt5BlockingClient client5(Credential c, MosquittoProcess broker) {
        return Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
    }

    private static Mqtt3BlockingClient client3(Credential c, MosquittoProcess broker) {
        return Mqtt3Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
    }
}
