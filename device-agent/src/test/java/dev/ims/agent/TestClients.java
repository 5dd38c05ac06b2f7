package dev.ims.agent;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;

/** Raw MQTT clients of the tests, each with its own identity: the client ID is the credential's username. */
final class TestClients {

    private TestClients() {}

    /** Connected as {@code credential}. */
    static Mqtt5BlockingClient connect(String host, int port, Credential credential) {
        Mqtt5BlockingClient c = Mqtt5Client.builder().identifier(credential.username()).serverHost(host).serverPort(port)
                .simpleAuth().username(credential.username()).password(credential.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        c.connect();
        return c;
    }

    /** Registers every member's own secret with the test broker, as its enrolment would. */
    static void register(BrokerIdentities ids, java.util.List<Fleet.Member> members) {
        for (Fleet.Member m : members) {
            ids.meter(m.meter().meterId(), m.meter().state().brokerSecret());
        }
    }
}
