package dev.ims.agent;

import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A meter keeps going when its broker goes away and comes back: it reconnects by itself. */
class AgentReconnectIT {

    @TempDir
    Path dir;

    @Test
    void meter_reconnectsByItself_afterTheBrokerRestarts_andPublishesAgain() throws Exception {
        Path brokerDir = dir.resolve("broker");
        BrokerIdentities ids = new BrokerIdentities();
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, brokerDir).withSecurity(ids.security()));
        int port = broker.port();
        ImsSettings settings = ImsSettings.load(Map.of(), Map.of()).withMqttUrl(broker.url());
        Fleet.Options options = new Fleet.Options(Duration.ofMillis(200), 0, Duration.ofMinutes(15), 0);
        Fleet.Member member = Fleet.fresh(dir.resolve("agents"), settings, options, Clock.systemUTC());
        String id = member.meter().meterId();
        TestClients.register(ids, List.of(member));
        try (Fleet fleet = Fleet.start(List.of(member), settings, options, Clock.systemUTC(), null).get()) {
            List<Reading> before = watch(port, id, ids.ingest("reconnect-watch-1"));
            await().atMost(Duration.ofSeconds(10)).until(() -> before.size() >= 2);
            broker.close();
            long seqAtStop = member.meter().state().nextSeq();

            broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(port, brokerDir).withSecurity(ids.security()));
            List<Reading> after = watch(port, id, ids.ingest("reconnect-watch-2"));
            await().atMost(Duration.ofSeconds(40)).until(() -> after.stream().anyMatch(r -> r.seq() > seqAtStop));
        } finally {
            broker.close();
        }
    }

    private static List<Reading> watch(int port, String meterId, Credential credential) {
        List<Reading> seen = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient c = TestClients.connect("127.0.0.1", port, credential);
        ReadingCodec codec = new ReadingCodec();
        c.toAsync().publishes(MqttGlobalPublishFilter.ALL, p -> {
            if (p.getTopic().toString().equals("meters/" + meterId + "/reading")) {
                seen.add(codec.decode(meterId, p.getPayloadAsBytes()));
            }
        });
        c.subscribeWith().topicFilter("meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send();
        return seen;
    }
}
