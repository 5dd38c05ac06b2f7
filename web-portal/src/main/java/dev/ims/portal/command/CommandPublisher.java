package dev.ims.portal.command;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import dev.ims.model.command.MeterCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.client.mqtt.MqttClients;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.model.topic.Topics;
import dev.ims.model.log.LogSafe;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.topic.TopicAddress;
import dev.ims.model.topic.TopicKind;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes relay commands to {@code {prefix}/{meterId}/command}, QoS 1, not retained (a retained command
 * would be carried out again by every reconnect). One MQTT connection per portal, reconnecting by itself.
 *
 * <p>The same connection follows the meters' status messages ({@code {prefix}/+/status}, QoS 1, retained
 * births and last wills), so that queued commands go out when their meter comes online
 * ({@link #onMeterOnline}). The subscription is made on every (re)connection: the session starts clean.
 */
public final class CommandPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandPublisher.class);

    private final Mqtt5AsyncClient client;
    private final Topics topics;
    private volatile boolean closed;
    private volatile Consumer<String> onMeterOnline;

    /**
     * The portal's broker identity (and client ID) unless {@code MQTT_USERNAME} names another: each portal instance
     * behind a load balancer needs its own.
     */
    public static final String PORTAL_IDENTITY = "ims-portal";

    public CommandPublisher(ImsSettings settings, MqttEndpoint endpoint) {
        this.topics = new Topics(settings.topicPrefix());
        Mqtt5ClientBuilder builder = MqttClients.builder(settings, endpoint, ServiceCredentials.require(settings, settings.mqttUsername() != null ? settings.mqttUsername() : PORTAL_IDENTITY),
                java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(10), () -> closed);
        this.client = builder.addConnectedListener(ctx -> subscribeStatus()).buildAsync();
    }

    /**
     * Calls {@code listener} with a meter's ID whenever its status message says {@code ONLINE} (also for the
     * retained births the broker sends on subscribing). Called on the MQTT client's thread; must not block.
     * Set before {@link #connect}.
     */
    public CommandPublisher onMeterOnline(Consumer<String> listener) {
        this.onMeterOnline = listener;
        return this;
    }

    private void subscribeStatus() {
        if (onMeterOnline == null) {
            return;
        }
        client.subscribeWith().topicFilter(topics.allOf(TopicKind.STATUS)).qos(MqttQos.AT_LEAST_ONCE)
                .callback(this::status).send().whenComplete((ack, e) -> {
                    if (e != null) {
                        LOG.warn("Portal could not follow the meters' status for queued commands: {}", LogSafe.of(e.getMessage()));
                    }
                });
    }

    private void status(Mqtt5Publish p) {
        Optional<TopicAddress> address = topics.parse(p.getTopic().toString());
        if (address.isEmpty() || address.get().kind() != TopicKind.STATUS) {
            return;
        }
        try {
            StatusMessage m = StatusMessage.decode(address.get().meterId(), p.getPayloadAsBytes());
            if (m.state() == ConnectionState.ONLINE) {
                onMeterOnline.accept(m.meterId());
            }
        } catch (RuntimeException e) {
            // A bad status message is the ingest's to reject and show; here it only means no delivery now.
            LOG.debug("Status on {} ignored: {}", LogSafe.of(p.getTopic().toString()), LogSafe.of(e.toString()));
        }
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
    public CompletableFuture<Void> publish(String meterId, MeterCommand command) {
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
