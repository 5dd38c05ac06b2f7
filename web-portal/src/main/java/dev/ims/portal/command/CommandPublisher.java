package dev.ims.portal.command;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.mqtt.MqttClients;
import dev.ims.model.topic.Topics;
import dev.ims.model.log.LogSafe;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes relay commands to {@code {prefix}/{meterId}/command}, QoS 1, not retained (a retained command
 * would be carried out again by every reconnect). One MQTT connection per portal, reconnecting by itself.
 */
public final class CommandPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandPublisher.class);

    private final Mqtt5AsyncClient client;
    private final Topics topics;
    private volatile boolean closed;

    public CommandPublisher(ImsSettings settings, MqttEndpoint endpoint) {
        this.topics = new Topics(settings.topicPrefix());
        Mqtt5ClientBuilder builder = MqttClients.builder(settings, endpoint, "ims-portal-" + UUID.randomUUID().toString().substring(0, 8),
                java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(10), () -> closed);
        this.client = builder.buildAsync();
    }

    /** Connects in the background; commands sent before the connection is up fail fast. */
    public CommandPublisher connect() {
        client.connectWith().cleanStart(true).send().whenComplete((ack, e) -> {
            if (e != null) {
                LOG.warn("Portal could not reach the broker for relay commands yet: {}", LogSafe.of(e.getMessage()));
            }
        });
        return this;
    }

    /** Completes on the broker's PUBACK; fails when the broker is not reachable. */
    public CompletableFuture<Void> publish(String meterId, RelayCommand command) {
        if (!client.getState().isConnected()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the broker is not reachable"));
        }
        return client.publishWith().topic(topics.command(meterId)).qos(MqttQos.AT_LEAST_ONCE).payload(command.encode()).send()
                .thenAccept(result -> result.getError().ifPresent(e -> {
                    throw new IllegalStateException("the broker refused the command: " + e.getMessage());
                }));
    }

    @Override
    public void close() {
        closed = true;
        if (client.getState().isConnected()) {
            try {
                client.disconnect().get(3, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.debug("Disconnect: {}", LogSafe.of(e.toString()));
            }
        }
    }
}
