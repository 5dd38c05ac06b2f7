package dev.ims.ingest;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Test meters on a broker that admits identities only: one MQTT connection per meter ID, under that meter's own
 * credential (client ID = username), opened the first time the meter is used and kept until {@link #close()}. A
 * meter may publish only to its own topics, so a test that speaks for many meters needs one connection each.
 * Thread-safe.
 */
final class MeterClients implements AutoCloseable {

    private final String host;
    private final int port;
    private final Function<String, Credential> credentials;
    private final Map<String, Mqtt5BlockingClient> clients = new ConcurrentHashMap<>();

    /** @param credentials a meter ID's credential on this broker (created by the test's identities) */
    MeterClients(int port, Function<String, Credential> credentials) {
        this("127.0.0.1", port, credentials);
    }

    MeterClients(String host, int port, Function<String, Credential> credentials) {
        this.host = host;
        this.port = port;
        this.credentials = credentials;
    }

    /** {@code meterId}'s connection, opened (and its identity created) on first use. */
    Mqtt5BlockingClient of(String meterId) {
        return clients.computeIfAbsent(meterId, id -> {
            Mqtt5BlockingClient c = builder(host, port, credentials.apply(id)).buildBlocking();
            c.connect();
            return c;
        });
    }

    /** A client builder with {@code credential} as identity and client ID. */
    static Mqtt5ClientBuilder builder(String host, int port, Credential credential) {
        return Mqtt5Client.builder().identifier(credential.username()).serverHost(host).serverPort(port)
                .simpleAuth().username(credential.username()).password(credential.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth();
    }

    @Override
    public void close() {
        clients.values().forEach(c -> {
            try {
                c.disconnect();
            } catch (RuntimeException e) {
                // already gone
            }
        });
        clients.clear();
    }
}
