package dev.ims.client.dynsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.ims.client.mqtt.MqttClients;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.json.Json;
import dev.ims.model.log.LogSafe;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Credential;
import dev.ims.model.security.DynsecConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BrokerAccounts} on Mosquitto's dynamic-security plugin: each operation publishes its commands
 * ({@link DynsecConfig#registerMeter}, {@link DynsecConfig#revokeMeter}) to {@value DynsecConfig#CONTROL_TOPIC} as the
 * plugin's admin client and completes when the answer on {@value DynsecConfig#RESPONSE_TOPIC} arrives. The stage fails
 * ({@link DynsecException}) when any command is answered with an error other than {@link DynsecConfig#TOLERATED_ERRORS},
 * or with a {@link TimeoutException} when no answer comes within {@link #TIMEOUT}; both are safe to retry.
 *
 * <p>Connects at construction (in the background; operations wait for it) with a persistent session, so its response
 * subscription survives a reconnect. Thread-safe; operations may overlap (answers are matched by correlation data).
 */
public final class DynsecAccounts implements BrokerAccounts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DynsecAccounts.class);
    /** How long an operation waits for the connection and the plugin's answer. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long SESSION_EXPIRY_SECONDS = 300;

    /** An answer of the plugin that is an error. */
    public static final class DynsecException extends RuntimeException {
        public DynsecException(String message) {
            super(message);
        }
    }

    private final DynsecConfig config;
    private final Mqtt5AsyncClient client;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> ready;
    private volatile boolean closed;

    /** @param admin the plugin's admin client (its role may publish and subscribe on {@code $CONTROL/dynamic-security/#}) */
    public DynsecAccounts(ImsSettings settings, MqttEndpoint endpoint, Credential admin, BrokerRights rights) {
        this.config = new DynsecConfig(rights);
        this.client = MqttClients.builder(settings, endpoint, admin, Duration.ofMillis(200), Duration.ofSeconds(5), () -> closed)
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.SUBSCRIBED, this::answer);
        this.ready = client.connectWith().cleanStart(false).sessionExpiryInterval(SESSION_EXPIRY_SECONDS).send()
                .thenCompose(ack -> client.subscribeWith().topicFilter(DynsecConfig.RESPONSE_TOPIC).qos(MqttQos.AT_LEAST_ONCE).send())
                .thenAccept(subAck -> {
                    if (subAck.getReasonCodes().stream().anyMatch(c -> c.isError())) {
                        throw new DynsecException("the broker refused the admin's subscription to " + DynsecConfig.RESPONSE_TOPIC + ": "
                                + subAck.getReasonCodes());
                    }
                });
    }

    @Override
    public CompletionStage<Void> register(String meterId, String secret) {
        return send("register " + meterId, id -> config.registerMeter(meterId, secret, id));
    }

    @Override
    public CompletionStage<Void> revoke(String meterId) {
        return send("revoke " + meterId, id -> config.revokeMeter(meterId, id));
    }

    /** Adds a service client (ingest or portal) at runtime, as {@link #register} adds a meter. */
    public CompletionStage<Void> registerService(DynsecConfig.ServiceClient service) {
        return send("register service " + service.name(), id -> config.registerService(service, id));
    }

    private CompletionStage<Void> send(String what, java.util.function.Function<String, ObjectNode> commands) {
        String id = UUID.randomUUID().toString();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode payload = commands.apply(id);
        int expected = payload.get("commands").size();
        ready.thenCompose(r -> client.publishWith().topic(DynsecConfig.CONTROL_TOPIC).qos(MqttQos.AT_LEAST_ONCE)
                        .payload(Json.bytes(payload)).send())
                .whenComplete((result, error) -> {
                    if (error != null) {
                        answer.completeExceptionally(error);
                    }
                });
        return answer.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> pending.remove(id))
                .thenAccept(responses -> check(what, responses, expected));
    }

    /** Fails unless every command was answered, each without an error or with a tolerated one. */
    private static void check(String what, JsonNode responses, int expected) {
        List<String> errors = new ArrayList<>();
        if (responses.size() != expected) {
            errors.add(responses.size() + " answers to " + expected + " commands");
        }
        for (JsonNode r : responses) {
            String error = r.path("error").asText(null);
            if (error != null && !DynsecConfig.TOLERATED_ERRORS.contains(error)) {
                errors.add(r.path("command").asText("?") + ": " + error);
            }
        }
        if (!errors.isEmpty()) {
            throw new DynsecException("dynamic security refused to " + what + ": " + String.join("; ", errors));
        }
    }

    /** Routes an answer to its operation by the correlation data of its first response ({@code <id>:<index>}). */
    private void answer(Mqtt5Publish publish) {
        try {
            JsonNode responses = Json.mapper().readTree(publish.getPayloadAsBytes()).path("responses");
            if (!responses.isArray() || responses.isEmpty()) {
                return;
            }
            String correlation = responses.get(0).path("correlationData").asText("");
            int colon = correlation.lastIndexOf(':');
            CompletableFuture<JsonNode> waiting = colon < 0 ? null : pending.get(correlation.substring(0, colon));
            if (waiting != null) {
                waiting.complete(responses);
            }
        } catch (IOException e) {
            LOG.warn("Unreadable answer on {}: {}", DynsecConfig.RESPONSE_TOPIC, LogSafe.of(e.getMessage()));
        }
    }

    /** Disconnects; operations still waiting fail. */
    @Override
    public void close() {
        closed = true;
        pending.values().forEach(f -> f.completeExceptionally(new IllegalStateException("closed")));
        try {
            client.disconnect().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("Dynsec admin client did not disconnect cleanly: {}", e.toString());
        }
    }
}
