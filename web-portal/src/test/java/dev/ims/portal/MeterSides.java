package dev.ims.portal;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The meters' side of a test broker: one MQTT client per meter, each under the meter's own identity (client ID =
 * username = meter ID), subscribed to its own command topic only (a meter may subscribe to nothing else). Every
 * publish any of them receives goes to every listener.
 */
final class MeterSides implements AutoCloseable {

    private final int port;
    private final BrokerIdentities ids;
    private final Map<String, Mqtt5BlockingClient> clients = new ConcurrentHashMap<>();
    private final List<Consumer<Mqtt5Publish>> listeners = new CopyOnWriteArrayList<>();

    MeterSides(int port, BrokerIdentities ids) {
        this.port = port;
        this.ids = ids;
    }

    /** Calls {@code listener} with every publish the meters receive from now on. */
    MeterSides onPublish(Consumer<Mqtt5Publish> listener) {
        listeners.add(listener);
        return this;
    }

    /** Meter {@code meterId}'s client, connected and subscribed to its command topic (the first time). */
    Mqtt5BlockingClient meter(String meterId) {
        return clients.computeIfAbsent(meterId, id -> {
            Credential c = ids.meter(id);
            Mqtt5BlockingClient client = Mqtt5Client.builder().identifier(c.username()).serverHost("127.0.0.1").serverPort(port)
                    .simpleAuth().username(c.username()).password(c.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .buildBlocking();
            client.connect();
            client.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> listeners.forEach(l -> l.accept(p)));
            client.subscribeWith().topicFilter("meters/" + id + "/command").qos(MqttQos.AT_LEAST_ONCE).send();
            return client;
        });
    }

    @Override
    public void close() {
        clients.values().forEach(c -> {
            try {
                c.disconnect();
            } catch (RuntimeException ignored) {
                // already gone
            }
        });
    }
}
