package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.embedded.testing.ChildJvm;
import dev.ims.model.security.Credential;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The faults on the embedded HiveMQ CE broker (with its persistence), plus the ones that do not depend on
 * the broker: the ingest process killed with SIGKILL mid-stream, the store down for a while.
 *
 * <p>HiveMQ CE hands a shared subscription's messages to whichever member polls its shared queue, and a
 * member that acknowledges after its database write (as the ingest does) may get nearly all of them
 * (measured here: 4 000 of 4 000 to one of two members). Every reading is still stored once; the load
 * is spread on Mosquitto (see MosquittoIngestFaultsIT) and on HiveMQ Enterprise / EMQX clusters.
 */
class HiveMqIngestFaultsIT extends IngestFaultsContract {

    static EmbeddedBroker embedded;
    /** Kept across restarts, as a stack keeps its identities. */
    static final BrokerIdentities IDS = new BrokerIdentities();
    /** What the embedded broker sends a subscriber before its acknowledgements: the ingest's memory bound. */
    static final int MAX_IN_FLIGHT = 1000;

    @BeforeAll
    static void start() {
        int port = FreePorts.resolve(0);
        embedded = EmbeddedBroker.start(EmbeddedBrokerOptions.of(port, dir.resolve("broker")).withSecurity(IDS.security()));
        broker = new Broker() {
            @Override
            public String url() {
                return embedded.url();
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public void restart() {
                embedded.close();
                embedded = EmbeddedBroker.start(EmbeddedBrokerOptions.of(port, dir.resolve("broker")).withSecurity(IDS.security()));
            }

            @Override
            public Credential ingest(String name) {
                return IDS.ingest(name);
            }

            @Override
            public Credential meter(String meterId) {
                return IDS.meter(meterId);
            }

        };
        startStore();
    }

    @AfterAll
    static void stopBroker() {
        embedded.close();
    }

    @Override
    boolean spreadsSharedSubscriptions() {
        return false;
    }

    @Test
    void ingestKilledWithSigkillMidStream_restarted_losesNothing_andStoresNothingTwice() throws Exception {
        Credential identity = ingestIdentity("crash-it");
        Map<String, String> env = Map.of("MQTT_URL", broker.url(), "MONGO_URI", store.connectionString(), "TIME_ZONE", "UTC",
                "MQTT_USERNAME", identity.username(), "MQTT_PASSWORD", identity.password());
        List<String> args = List.of("--client-id", "crash-it");
        List<String> meters = meters("kill", 3);
        ChildJvm first = ChildJvm.start("dev.ims.ingest.IngestMain", args, env, dir.resolve("ingest-1.log"), "Ingest crash-it started:", Duration.ofSeconds(60));
        try (Publisher p = new Publisher()) {
            CompletableFuture<Void> all = p.publishAsync(meters, 2000);
            await().atMost(Duration.ofSeconds(60)).until(() -> stored(meters) >= 1500);
            first.kill9();
            assertThat(first.isAlive()).isFalse();
            long atKill = stored(meters);
            all.get(120, TimeUnit.SECONDS);
            try (ChildJvm second = ChildJvm.start("dev.ims.ingest.IngestMain", args, env, dir.resolve("ingest-2.log"), "Ingest crash-it started:",
                    Duration.ofSeconds(60))) {
                await().atMost(Duration.ofSeconds(120)).until(() -> stored(meters) == 6000);
                assertThat(atKill).as("killed mid-stream").isLessThan(6000);
                assertEveryReadingOnce(meters, 2000);
            }
        }
    }

    @Test
    void storeDownForHalfAMinute_ingestHoldsBackAcknowledgements_reportsIt_andResumesWithNothingLost() throws Exception {
        List<String> meters = meters("outage", 2);
        try (IngestService ingest = ingest("outage-it"); Publisher p = new Publisher()) {
            // A steady stream (about 100 readings/s) that goes on through the outage.
            CompletableFuture<Void> all = p.publishAsync(meters, 1500, 10_000_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> stored(meters) >= 500);
            mongo.close();
            store.close();
            long receivedAtOutage = ingest.counters().received();
            await().atMost(Duration.ofSeconds(15)).until(() -> !ingest.databaseUp());
            // For half a minute the store is gone (long enough for the retry backoff to reach its 10 s cap, 100 ms
            // doubling, and retry at it twice): the broker keeps what the ingest has not acknowledged; the ingest
            // takes no more than its receive maximum and keeps retrying with backoff.
            await().during(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(35))
                    .until(() -> ingest.counters().received() - receivedAtOutage <= MAX_IN_FLIGHT && !ingest.databaseUp());
            assertThat(ingest.counters().stored()).as("the outage came mid-stream").isLessThan(3000);
            store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(storePort, dir.resolve("store")));
            mongo = MongoClients.create(store.connectionString());
            db = mongo.getDatabase("ims");
            all.get(120, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(120)).until(() -> stored(meters) == 3000);
            assertEveryReadingOnce(meters, 1500);
            assertThat(ingest.databaseUp()).isTrue();
        }
    }


    @Test
    void burstAtTenTimesTheNormalRate_slowsThePipeline_butLosesNothing_andHoldsBoundedMemory() throws Exception {
        List<String> meters = meters("burst", 100);
        try (IngestService ingest = ingest("burst-it"); Publisher normal = new Publisher(); Publisher burst = new Publisher()) {
            // Normal: 100 meters, about one reading a second each. Then every meter flushes a backlog at 10x.
            normal.publishAsync(meters, 3, 10_000_000).get(60, TimeUnit.SECONDS);
            long[] maxHeld = {0};
            java.util.concurrent.ScheduledExecutorService sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(() -> {
                var c = ingest.counters();
                maxHeld[0] = Math.max(maxHeld[0], c.received() - c.stored() - c.duplicates() - c.rejected());
            }, 0, 50, TimeUnit.MILLISECONDS);
            try {
                List<String> backlog = meters.stream().map(m -> m + "-b").toList();
                burst.publishAsync(backlog, 100, 1_000_000).get(120, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(120)).until(() -> stored(meters) + stored(backlog) == 300 + 10_000);
            } finally {
                sampler.shutdownNow();
            }
            assertEveryReadingOnce(meters, 3);
            // Held in memory at once: at most the broker's in-flight window plus the batch being written.
            assertThat(maxHeld[0]).isLessThanOrEqualTo(MAX_IN_FLIGHT + IngestSettings.DEFAULT_BATCH_SIZE);
        }
    }
}
