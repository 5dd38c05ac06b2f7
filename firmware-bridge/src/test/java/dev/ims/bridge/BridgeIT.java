package dev.ims.bridge;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.client.model.Filters;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.ingest.IngestService;
import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.RelayState;
import dev.ims.store.testing.StoredReadings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The bridge on mock GPIO against the real pipeline (embedded broker, ingest, store): S0 pulses become
 * stored readings, and a relay command is carried out on the pin, acknowledged, and verified by the
 * bridge's next reading.
 */
class BridgeIT {

    @TempDir
    Path dir;

    @Test
    void pulsesBecomeStoredReadings_andARelayCommandIsCarriedOut_confirmed_andVerified() throws Exception {
        BrokerIdentities ids = new BrokerIdentities();
        EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(ids.security()));
        EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
        ImsSettings settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of()).withMqttUrl(broker.url())
                .withMongoUri(store.connectionString());
        // The portal's key: its public half where the bridge looks by default ({IMS_DATA_DIR}/keys/command-keys.json).
        CommandSigningKey key = CommandSigningKey.generate();
        CommandKeySet.of(key.publicKey()).write(CommandKeys.defaultKeySetFile(dir));
        IngestService ingest = new IngestService(IngestSettings.of(settings.withMqttCredential(ids.ingest("bridge-it")), "bridge-it"));
        ingest.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
        MongoClient mongo = MongoClients.create(store.connectionString());
        MongoDatabase db = mongo.getDatabase("ims");
        Context pi4j = BridgeMain.mockContext();
        ScheduledExecutorService load = Executors.newSingleThreadScheduledExecutor();
        Credential portalIdentity = ids.portal("bridge-it-portal");
        Mqtt5BlockingClient portalSide = Mqtt5Client.builder().identifier(portalIdentity.username()).serverHost("127.0.0.1").serverPort(broker.port())
                .simpleAuth().username(portalIdentity.username()).password(portalIdentity.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .buildBlocking();
        // The meter as it leaves the workshop: its state file, with the secret it generated, registered on the broker.
        MeterState made = MeterState.newMeter(500.0, null);
        MeterStateFile.save(dir.resolve("meter.json"), made);
        ids.meter(made.meterId(), made.brokerSecret());
        try (Bridge bridge = Bridge.start(pi4j, settings, new Bridge.Options(dir.resolve("meter.json"), 27, false, -1, Duration.ofMillis(300), 500.0,
                1_000), new S0Source(new S0Counter(pi4j, 17, false, 5_000), 1_000), Clock.systemUTC())) {
            String meter = bridge.meter().meterId();
            MockDigitalInput s0 = pi4j.io("s0-17");
            // A pulse every 100 ms at 1000 imp/kWh: 36 kW, a heavy load but within what the ingest finds
            // plausible (100 kW by default; more is quarantined as IMPLAUSIBLE_CONSUMPTION).
            load.scheduleAtFixedRate(() -> {
                s0.mockState(DigitalState.HIGH);
                s0.mockState(DigitalState.LOW);
            }, 0, 100, TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> readings(db, meter).size() >= 4);
            List<Document> stored = readings(db, meter);
            assertThat(stored.get(0).getDouble(ENERGY_KWH)).isGreaterThanOrEqualTo(500.0);
            for (int i = 1; i < stored.size(); i++) {
                assertThat(stored.get(i).getLong(SEQ)).isEqualTo(stored.get(i - 1).getLong(SEQ) + 1);
                assertThat(stored.get(i).getDouble(ENERGY_KWH)).isGreaterThan(stored.get(i - 1).getDouble(ENERGY_KWH));
            }
            assertThat(stored.get(stored.size() - 1).getDouble(POWER_W)).isGreaterThan(0.0);

            portalSide.connect();
            DigitalOutput relayPin = pi4j.io("relay-27");

            // An unsigned command, as anyone on the broker could send it: refused, the pin stays put.
            String unsigned = UUID.randomUUID().toString();
            insertPending(db, unsigned, meter);
            portalSide.publishWith().topic("meters/" + meter + "/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new RelayCommand(unsigned, RelayState.OFF, Instant.now()).encode()).send();
            await().atMost(Duration.ofSeconds(30)).until(() -> "FAILED".equals(command(db, unsigned).getString(STATE)));
            assertThat(command(db, unsigned).getString(ERROR)).contains("unsigned: ");
            assertThat(relayPin.state()).isEqualTo(DigitalState.HIGH);
            assertThat(bridge.meter().relay()).isEqualTo(RelayState.ON);

            // A relay command as the portal stores, signs and sends it.
            String id = UUID.randomUUID().toString();
            insertPending(db, id, meter);
            portalSide.publishWith().topic("meters/" + meter + "/command").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(key.signer().sign(meter, new RelayCommand(id, RelayState.OFF, Instant.now()), Duration.ofMinutes(5)).encode()).send();
            await().atMost(Duration.ofSeconds(30)).until(() -> "VERIFIED".equals(command(db, id).getString(STATE)));
            assertThat(relayPin.state()).isEqualTo(DigitalState.LOW);
            assertThat(bridge.meter().relay()).isEqualTo(RelayState.OFF);
            List<Document> after = readings(db, meter);
            assertThat(after.get(after.size() - 1).getString(RELAY)).isEqualTo("OFF");
        } finally {
            load.shutdownNow();
            portalSide.disconnect();
            pi4j.shutdown();
            ingest.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
            mongo.close();
            store.close();
            broker.close();
        }
    }

    private static void insertPending(MongoDatabase db, String id, String meter) {
        Mono.from(db.getCollection(COMMANDS).insertOne(new Document(ID, id).append(METER_ID, meter).append(RELAY, "OFF").append(REASON, "test")
                .append(REQUESTED_BY, "admin").append(REQUESTED_AT, new Date()).append(STATE, "PENDING")
                .append(HISTORY, List.of(new Document(STATE, "PENDING"))))).block();
    }

    private static Document command(MongoDatabase db, String id) {
        return Mono.from(db.getCollection(COMMANDS).find(Filters.eq(ID, id)).first()).block();
    }

    private static List<Document> readings(MongoDatabase db, String meter) {
        return StoredReadings.of(db, meter);
    }
}
