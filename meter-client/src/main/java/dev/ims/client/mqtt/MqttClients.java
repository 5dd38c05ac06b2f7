package dev.ims.client.mqtt;

import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One way to build a HiveMQ MQTT 5 client for the project's broker: endpoint, TLS for {@code ssl://}, the
 * client's own identity (its credential's username is also its client ID: the brokers refuse any other), and
 * automatic reconnect with capped exponential backoff that stops for good once the owner is closed.
 */
public final class MqttClients {

    private MqttClients() {}

    /**
     * @param closed true once the client's owner is closed: HiveMQ client 1.4.2 refuses {@code disconnect()}
     *     while it is reconnecting (hivemq-mqtt-client#675), so without this a closed client would come
     *     back and take its client ID over from a successor
     */
    public static Mqtt5ClientBuilder builder(ImsSettings settings, MqttEndpoint endpoint, Credential credential, Duration firstRetry,
            Duration maxRetry, BooleanSupplier closed) {
        Mqtt5ClientBuilder builder = Mqtt5Client.builder()
                .identifier(credential.username())
                .serverHost(endpoint.host())
                .serverPort(endpoint.port())
                .automaticReconnect()
                .initialDelay(firstRetry.toMillis(), TimeUnit.MILLISECONDS)
                .maxDelay(maxRetry.toMillis(), TimeUnit.MILLISECONDS)
                .applyAutomaticReconnect()
                .addDisconnectedListener(c -> {
                    if (closed.getAsBoolean()) {
                        c.getReconnector().reconnect(false);
                    }
                });
        if (endpoint.tls()) {
            builder = builder.sslWithDefaultConfig();
        }
        return builder.simpleAuth()
                .username(credential.username())
                .password(credential.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth();
    }
}
