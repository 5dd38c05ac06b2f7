package dev.ims.ingest;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.ims.client.mqtt.MqttClients;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.security.Credential;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent MQTT 5 session of the ingest: connects under its own identity (client ID = the credential's
 * username), subscribes to its filters, and emits every message as an {@link Inbound} whose {@code acknowledge}
 * sends the PUBACK. Messages are acknowledged manually, so the broker's in-flight window of this session (at most
 * {@code receiveMaximum} unacknowledged messages, or the broker's own limit) holds what is received and not yet
 * written, and the broker keeps it across a crash. Each session has its own window: that is why live readings and
 * the backlog come through two of them.
 *
 * <p>Threads: {@code sink} runs on the MQTT client's thread, in the order the broker delivers; it must only decode
 * and hand over. Broker loss is healed by the client's automatic reconnect (the session and its unacknowledged
 * messages survive: clean start off, {@link IngestSettings#SESSION_EXPIRY}).
 */
final class MqttSubscriber implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSubscriber.class);

    /**
     * One received message. {@code acknowledge} sends its PUBACK; call it once, after what it carries is written,
     * and in the order messages of this session were emitted.
     */
    record Inbound(String topic, byte[] payload, Runnable acknowledge) {}

    private final String name;
    private final MqttEndpoint endpoint;
    private final int receiveMaximum;
    /** Set once {@link #connect()} has subscribed: later connections are reconnects. */
    private volatile boolean subscribed;
    private final List<String> filters;
    /** Filters the session can do without: a refusal is logged once and the session goes on (an older broker configuration). */
    private final java.util.Set<String> optional;
    private final Mqtt5AsyncClient mqtt;
    private volatile boolean up;
    private volatile boolean stopping;

    /**
     * @param credential this session's identity; its username is the client ID
     * @param filters subscribed one SUBSCRIBE each, in this order (see {@link #connect()})
     * @param sink takes every message, on the MQTT client's thread
     */
    MqttSubscriber(ImsSettings ims, MqttEndpoint endpoint, Credential credential, int receiveMaximum, List<String> filters,
            Consumer<Inbound> sink) {
        this(ims, endpoint, credential, receiveMaximum, filters, java.util.Set.of(), sink);
    }

    /** @param optional those of {@code filters} whose refusal by the broker is logged once rather than failing the start */
    MqttSubscriber(ImsSettings ims, MqttEndpoint endpoint, Credential credential, int receiveMaximum, List<String> filters,
            java.util.Set<String> optional, Consumer<Inbound> sink) {
        this.optional = java.util.Set.copyOf(optional);
        this.name = credential.username();
        this.endpoint = endpoint;
        this.receiveMaximum = receiveMaximum;
        this.filters = List.copyOf(filters);
        this.mqtt = MqttClients.builder(ims, endpoint, credential, Duration.ofMillis(500), Duration.ofSeconds(10), () -> stopping)
                .addConnectedListener(c -> {
                    if (stopping) {
                        // A reconnect that was already under way when close() ran: leave at once.
                        this.mqtt().disconnect();
                        return;
                    }
                    up = true;
                    LOG.info("Session {} connected to broker {}", name, endpoint.url());
                    if (subscribed && c instanceof Mqtt5ClientConnectedContext c5 && c5.getConnAck().isSessionPresent()) {
                        resubscribe();
                    }
                })
                .addDisconnectedListener(c -> {
                    if (up && !stopping) {
                        LOG.warn("Session {} disconnected from broker: {}", name, c.getCause().getMessage());
                    }
                    up = false;
                })
                .buildAsync();
        // Registered before connecting, so messages the broker kept in our session are not missed.
        mqtt.publishes(MqttGlobalPublishFilter.ALL, (Mqtt5Publish p) -> sink.accept(
                new Inbound(p.getTopic().toString(), p.getPayloadAsBytes(), p::acknowledge)), true);
    }

    private Mqtt5AsyncClient mqtt() {
        return mqtt;
    }

    /** The session's identity and client ID. */
    String name() {
        return name;
    }

    /** Whether the session is connected now. */
    boolean up() {
        return up;
    }

    /**
     * Connects (resuming the session the broker kept) and subscribes; fails when the broker cannot be reached or
     * refuses the identity or a subscription.
     *
     * <p>One SUBSCRIBE packet per filter, not one with all: HiveMQ CE (2025.5) stops spreading a shared subscription
     * across its members, and slows it down, when it arrives in the same SUBSCRIBE as a plain one (measured: 2 000
     * messages, 340 delivered in 3 s, 7 to one member and 333 to the other; separately: all 2 000, split about evenly).
     */
    CompletableFuture<Void> connect() {
        CompletableFuture<?> chain = mqtt.connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(IngestSettings.SESSION_EXPIRY.toSeconds())
                .restrictions().receiveMaximum(receiveMaximum).applyRestrictions()
                .send();
        List<String> granted = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String filter : filters) {
            chain = chain.thenCompose(previous -> {
                CompletableFuture<Void> sub = mqtt.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send()
                        .thenAccept(ack -> granted.add(filter));
                if (!optional.contains(filter)) {
                    return sub;
                }
                return sub.exceptionally(e -> {
                    LOG.warn("Session {}: the broker refuses {} ({}); going on without it — give this identity the right "
                            + "(docs/CONTRACT.md, backlog topic)", name, filter, e.getMessage());
                    return null;
                });
            });
        }
        return chain.thenAccept(last -> {
            subscribed = true;
            LOG.info("Session {} subscribed to {}", name, String.join(", ", granted));
        });
    }

    /**
     * Subscribes again after a reconnect that resumed the session. The broker should still hold the subscriptions,
     * and the client only repeats them when the session was lost; but Mosquitto 2.0.11 (Debian's) restores a shared
     * subscription from its persistence file without routing new messages to it: after a broker restart the session
     * received the messages it had in flight, and none of those published afterwards (measured: all 1 545 published after
     * the restart stayed in the broker). Subscribing again is harmless where the subscription is intact (it replaces
     * itself) and repairs it where it is not. One SUBSCRIBE per filter, as in {@link #connect()}; a refusal is logged.
     */
    private void resubscribe() {
        for (String filter : filters) {
            mqtt.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).send().whenComplete((ack, e) -> {
                if (e != null && !optional.contains(filter) && !stopping) {
                    LOG.warn("Session {}: subscribing again to {} after a reconnect failed: {}", name, filter, e.toString());
                }
            });
        }
    }

    /** Disconnects (waiting up to 5 s); unacknowledged messages stay with the broker in the session. */
    @Override
    public void close() {
        stopping = true;
        try {
            mqtt.disconnect().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Session {} disconnect: {}", name, e.toString());
        }
    }

    @Override
    public String toString() {
        return name + "@" + endpoint.url();
    }
}
