package dev.ims.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import dev.ims.client.outbox.Outbox;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.ReadingCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store-and-forward: broker down, agent restarted meanwhile, broker back: every reading arrives, the queued ones in order on
 * backlog.
 */
class StoreAndForwardIT {

    @TempDir
    Path dir;

    @Test
    void brokerDown_agentRestartedMeanwhile_brokerBack_everyReadingArrives_inOrder() throws Exception {
        int port = FreePorts.resolve(0);
        Path brokerDir = dir.resolve("broker");
        BrokerIdentities ids = new BrokerIdentities();
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(port, brokerDir).withSecurity(ids.security()));
        ImsSettings settings = ImsSettings.load(Map.of(), Map.of()).withMqttUrl(broker.url());
        Fleet.Options options = new Fleet.Options(Duration.ofMillis(200), 0, Duration.ofMinutes(15), 0, 10_000);
        Fleet.Member member = Fleet.fresh(dir.resolve("agents"), settings, options, Clock.systemUTC());
        String id = member.meter().meterId();
        TestClients.register(ids, List.of(member));
        Set<Long> arrived = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
        Set<Long> onBacklog = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
        Mqtt5AsyncClient watcher = watcher(port, id, ids.ingest("ims-ingest-saf-watch"), arrived, onBacklog);
        try {
            long atStop;
            try (Fleet first = Fleet.start(List.of(member), settings, options, Clock.systemUTC(), null).get(30, TimeUnit.SECONDS)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> arrived.size() >= 3);
                broker.close();
                atStop = member.meter().state().nextSeq();
                await().atMost(Duration.ofSeconds(10)).until(() -> member.meter().state().nextSeq() >= atStop + 5);
            }
            Fleet.Member resumed = Fleet.existing(member.stateFile(), settings, options);
            long atRestart = resumed.meter().state().nextSeq();
            try (Fleet second = Fleet.start(List.of(resumed), settings, options, Clock.systemUTC(), null).get(30, TimeUnit.SECONDS)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> resumed.meter().state().nextSeq() >= atRestart + 5);
                broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(port, brokerDir).withSecurity(ids.security()));
                long produced = resumed.meter().state().nextSeq();
                // The meter backs off up to 30 s between attempts while the broker is down, so allow for a late first retry.
                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    for (long s = 0; s < produced; s++) {
                        if (!arrived.contains(s)) {
                            return false;
                        }
                    }
                    return true;
                });
                // The outage's queue drains oldest first on backlog; only the newest reading at the reconnect may have gone
                // on reading, ahead of it (a live reading never waits behind the drain).
                List<Long> drained;
                synchronized (onBacklog) {
                    drained = new ArrayList<>(onBacklog);
                }
                assertThat(drained).as("the outage's readings, delivered oldest first on backlog").isSorted();
                long missingFromBacklog = java.util.stream.LongStream.range(atStop, produced).filter(s -> !onBacklog.contains(s)).count();
                assertThat(missingFromBacklog).as("queued readings that went out live instead").isLessThanOrEqualTo(1);
            }
            try (Outbox left = Outbox.open(member.stateFile().resolveSibling(member.stateFile().getFileName() + ".outbox"), 10_000)) {
                assertThat(left.size()).as("readings left undelivered").isLessThanOrEqualTo(CLOSING_SLACK);
            }
        } finally {
            watcher.disconnect();
            broker.close();
        }
    }

    /**
     * A broker with nobody subscribed yet takes each reading and answers "no matching subscribers": the meter keeps
     * them in its outbox and sends them again, so the first subscriber gets every reading from seq 0 — none went to
     * nobody. (The same answer comes from Mosquitto 2.0.11 after a restart until the ingest subscribes again.)
     */
    @Test
    void brokerWithoutSubscriber_readingsStayInTheOutbox_untilOneSubscribes() throws Exception {
        int port = FreePorts.resolve(0);
        BrokerIdentities ids = new BrokerIdentities();
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(port, dir.resolve("broker")).withSecurity(ids.security()));
        ImsSettings settings = ImsSettings.load(Map.of(), Map.of()).withMqttUrl(broker.url());
        Fleet.Options options = new Fleet.Options(Duration.ofMillis(200), 0, Duration.ofMinutes(15), 0, 10_000);
        Fleet.Member member = Fleet.fresh(dir.resolve("agents"), settings, options, Clock.systemUTC());
        String id = member.meter().meterId();
        TestClients.register(ids, List.of(member));
        Set<Long> arrived = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
        Mqtt5AsyncClient watcher = null;
        try (Fleet fleet = Fleet.start(List.of(member), settings, options, Clock.systemUTC(), null).get(30, TimeUnit.SECONDS)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> member.meter().state().nextSeq() >= 6);
            watcher = watcher(port, id, ids.ingest("ims-ingest-saf-late"), arrived, new LinkedHashSet<>());
            long produced = member.meter().state().nextSeq();
            await().atMost(Duration.ofSeconds(30)).until(() -> java.util.stream.LongStream.range(0, produced).allMatch(arrived::contains));
        } finally {
            if (watcher != null) {
                watcher.disconnect();
            }
            broker.close();
        }
    }

    /** Readings measured while the fleet was closing may still be in flight then: a handful may remain, never more. */
    static final int CLOSING_SLACK = 5;

    /** A persistent-session subscriber that comes back with the broker and records each seq's first arrival. */
    private static Mqtt5AsyncClient watcher(int port, String meterId, Credential credential, Set<Long> arrived, Set<Long> onBacklog)
            throws Exception {
        Mqtt5AsyncClient c = Mqtt5Client.builder().identifier(credential.username()).serverHost("127.0.0.1").serverPort(port)
                .simpleAuth().username(credential.username()).password(credential.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .automaticReconnect().initialDelay(200, TimeUnit.MILLISECONDS).maxDelay(1, TimeUnit.SECONDS).applyAutomaticReconnect()
                .buildAsync();
        ReadingCodec codec = new ReadingCodec();
        c.publishes(MqttGlobalPublishFilter.ALL, p -> {
            String topic = p.getTopic().toString();
            if (topic.equals("meters/" + meterId + "/reading") || topic.equals("meters/" + meterId + "/backlog")) {
                long seq = codec.decode(meterId, p.getPayloadAsBytes()).seq();
                if (arrived.add(seq) && topic.endsWith("/backlog")) {
                    onBacklog.add(seq);
                }
            }
        });
        c.connectWith().cleanStart(false).sessionExpiryInterval(3600).send().get(10, TimeUnit.SECONDS);
        c.subscribeWith().topicFilter("meters/+/reading").qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
        c.subscribeWith().topicFilter("meters/+/backlog").qos(MqttQos.AT_LEAST_ONCE).send().get(10, TimeUnit.SECONDS);
        return c;
    }
}
