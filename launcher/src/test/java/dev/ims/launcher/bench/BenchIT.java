package dev.ims.launcher.bench;

import static dev.ims.model.storage.StoreSchema.ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.embedded.broker.BrokerSecurity;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.MosquittoProcess;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.topic.Topics;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.ReadingDocs;
import dev.ims.store.StoreLayout;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import reactor.core.publisher.Mono;

/** Tiny runs of every bench phase against the embedded stack: the bench's own accounting, not its speed. */
class BenchIT {

    @TempDir
    Path dir;

    @Test
    void writePhases_bothProfiles_storeEveryPublishedReadingOnce_andPrintEveryFigure() throws Exception {
        BenchIdentities identities = BenchIdentities.random();
        InMemoryDirectory services = new InMemoryDirectory();
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(new BrokerSecurity(
                        new BrokerRights(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP), services, identities.meters())));
                EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, dir.resolve("store")))) {
            ImsSettings settings = ImsSettings.load(Map.of("TIME_ZONE", "UTC"), Map.of()).withMqttUrl(broker.url())
                    .withMongoUri(store.connectionString());
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            Bench.Options options = new Bench.Options(2, 2, 20, 4, 20, List.of(Bench.Profile.BACKLOG, Bench.Profile.FIELD), true);
            Bench.Result r = new Bench(settings, options, BenchAccounts.embedded(identities, services),
                    new PrintStream(text, true, StandardCharsets.UTF_8)).run();
            System.out.print(text.toString(StandardCharsets.UTF_8));
            assertThat(r.profiles()).extracting(Bench.ProfileResult::profile).containsExactly(Bench.Profile.BACKLOG, Bench.Profile.FIELD);
            for (Bench.ProfileResult p : r.profiles()) {
                assertThat(p.count().published()).as(p.profile() + " published").isPositive();
                assertThat(p.count().stored()).as(p.profile() + " stored").isEqualTo(p.count().published());
                assertThat(p.lost()).isZero();
                assertThat(p.sample().readings()).as(p.profile() + " sample meter's readings in its buckets").isPositive()
                        .isEqualTo(p.sample().distinct());
                assertThat(p.rate()).isPositive();
                assertThat(p.p99()).isPositive();
            }
            Bench.ProfileResult half = r.profiles().get(1).half();
            assertThat(half).as("the field profile's half load").isNotNull();
            assertThat(half.count().stored()).isPositive().isEqualTo(half.count().published());
            assertThat(r.lost()).isZero();
            assertThat(r.duplicated()).isZero();
            assertThat(r.brokerRate()).isPositive();
            assertThat(r.storeRate()).isPositive();
            assertThat(text.toString(StandardCharsets.UTF_8)).contains("broker alone", "store alone", "backlog, full load", "field, full load",
                    "field, half load", "backlog: end to end / store alone", "field: end to end / store alone", "lost 0, duplicated 0");
        }
    }

    /** With --mqtt-url the bench creates its meters and its ingest on Mosquitto's dynamic-security plugin, as its admin. */
    @Test
    void writePhases_onMosquitto_registerTheirMeters_andStoreEveryReading() throws Exception {
        MosquittoProcess.requireOrSkip();
        try (MosquittoProcess mosquitto = MosquittoProcess.start(Path.of("..", "mosquitto.conf"), FreePorts.resolve(0), dir.resolve("mosquitto"))) {
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            BenchMain main = new BenchMain();
            main.environment = Map.of("TIME_ZONE", "UTC", "IMS_DATA_DIR", dir.resolve("data").toString(),
                    "MQTT_ADMIN_USERNAME", mosquitto.admin().username(), "MQTT_ADMIN_PASSWORD", mosquitto.admin().password());
            main.out = new PrintStream(text, true, StandardCharsets.UTF_8);
            int exit = new CommandLine(main).execute("--mqtt-url", mosquitto.url(), "--profile", "field", "--no-half-load", "--seconds", "2",
                    "--connections", "2", "--meters", "10", "--window", "20", "--fleet-meters", "0");
            String out = text.toString(StandardCharsets.UTF_8);
            System.out.print(out);
            assertThat(exit).as(out).isZero();
            assertThat(out).contains("field, full load", "lost 0", "duplicated 0").doesNotContain("backlog, full load", "half load");
        }
    }

    /** The bench must be able to fail: a reading taken out of the store is reported lost, a second copy duplicated. */
    @Test
    void storedSeqs_reportAReadingDeletedFromTheStore_andACopiedOne() throws Exception {
        try (EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory());
                MongoClient mongo = MongoClients.create(store.connectionString())) {
            MongoDatabase db = mongo.getDatabase("ims");
            UsageCalendar calendar = new UsageCalendar(ZoneOffset.UTC);
            // 300 minutes across midnight: two days, six hour buckets per meter.
            Instant start = Instant.parse("2026-11-29T22:00:00Z");
            List<Reading> readings = new ArrayList<>();
            Map<String, BitSet> published = new LinkedHashMap<>();
            for (String meter : List.of("m-a", "m-b")) {
                BitSet seqs = new BitSet();
                for (int seq = 0; seq < 300; seq++) {
                    readings.add(Reading.of(meter, seq, start.plusSeconds(60L * seq), seq * 0.01, 500.0, 230.0, 2.2, null, null));
                    seqs.set(seq);
                }
                published.put(meter, seqs);
            }
            BatchWrites w = BatchWrites.of(readings, calendar, Instant.now());
            Mono.from(db.getCollection(StoreLayout.READINGS).bulkWrite(w.buckets())).block();
            Mono.from(db.getCollection(StoreLayout.DAYS).bulkWrite(w.days())).block();
            StoredSeqs stored = new StoredSeqs(db, calendar);
            Instant end = start.plusSeconds(60L * 300);
            assertThat(stored.count(published, start, end)).isEqualTo(new StoredSeqs.Count(600, 600, 0, List.of()));
            assertThat(stored.duplicatesIn("m-b", start, end)).isEqualTo(new StoredSeqs.Duplicates(300, 300));

            // Seq 130 of m-b (the next day, 00:10 UTC) is taken out of its bucket and of its day's flags.
            Reading gone = readings.get(300 + 130);
            Mono.from(db.getCollection(StoreLayout.READINGS).updateOne(Filters.eq(ID, StoreLayout.hourBucketId("m-b", calendar.hourStart(gone.ts()))),
                    Updates.unset(StoreLayout.READINGS_BY_SEQ + ".130"))).block();
            Mono.from(db.getCollection(StoreLayout.DAYS).updateOne(Filters.eq(ID, StoreLayout.dayId("m-b", calendar.dayOf(gone.ts()))),
                    Updates.unset(StoreLayout.SEQ_BITS + "." + StoreLayout.seqBlock(130) + "." + (130 % 64)))).block();
            StoredSeqs.Count after = stored.count(published, start, end);
            assertThat(after.lost()).isEqualTo(1);
            assertThat(after.stored()).isEqualTo(599);
            assertThat(after.lostExamples()).containsExactly("m-b#130");

            // A second copy of seq 5 of m-a under another key of its bucket.
            Reading copied = readings.get(5);
            Mono.from(db.getCollection(StoreLayout.READINGS).updateOne(Filters.eq(ID, StoreLayout.hourBucketId("m-a", calendar.hourStart(copied.ts()))),
                    Updates.set(StoreLayout.READINGS_BY_SEQ + ".5copy", ReadingDocs.inBucket(copied, Instant.now())))).block();
            assertThat(stored.duplicatesIn("m-a", start, end).duplicated()).isEqualTo(1);
        }
    }

    @Test
    void readPhase_tinyData_answersRightWithPercentiles_andReusesAStoreThatHasIt() {
        Path storeDir = dir.resolve("read-store");
        String[] args = {"--read", "--reuse-store", storeDir.toString(), "--read-meters", "3", "--read-days", "2", "--year-days", "3",
                "--repetitions", "5", "--users", "3", "--seconds", "1"};
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        assertThat(run(args, first)).as(first.toString(StandardCharsets.UTF_8)).isZero();
        String text = first.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(text).contains("read data: loaded", "day-usage API, 31 days", "month-usage API, 12 months", "dashboard page",
                "one day of readings, API", "one day of readings, CSV", "gap report", "dashboards served per second to 3 signed-in users",
                "usage API answers per second").doesNotContain("WRONG");
        assertThat(percentiles(text)).hasSizeGreaterThanOrEqualTo(24).allSatisfy(p -> assertThat(p).isPositive());

        ByteArrayOutputStream second = new ByteArrayOutputStream();
        assertThat(run(args, second)).as(second.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(second.toString(StandardCharsets.UTF_8)).contains("read data: reused").doesNotContain("read data: loaded");
    }

    @Test
    void localPhase_tinyFleet_storesItsWholeHistory_andMeasuresLiveReadingsThroughTheApi() {
        String[] args = {"--local", "--local-meters", "2", "--local-days", "1"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(args, out)).as(out.toString(StandardCharsets.UTF_8)).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(text).contains("2 meters x 1 days of history (192 readings) stored", "history lost 0")
                .containsPattern("visible in the API: p50 [0-9]+ ms, p99 [0-9]+ ms|no live reading reached the API");
    }

    @Test
    void fleetPhase_tinyFleet_seedsItThroughTheWriteCode_andMeasuresThePageAndEveryFleetCallRightly() {
        String[] args = {"--fleet", "--fleet-size", "300", "--fleet-users", "2", "--fleet-seconds", "1"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(run(args, out)).as(out.toString(StandardCharsets.UTF_8)).isZero();
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(text).contains("fleet data: 300 meters seeded", "fleet index: 300 meters loaded in", "fleet page, first 50 meters",
                "fleet page, filtered (fault) and sorted (lastSeen)", "fleet API, first page", "fleet API, search", "fleet API, filter (offline, silent)",
                "fleet API, sorted by power", "fleet API, deep page (last of size 200)").doesNotContain("WRONG");
        assertThat(percentiles(text)).hasSize(24).allSatisfy(p -> assertThat(p).isPositive());
    }

    @Test
    void badOptions_exit2_namingThem() {
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine cli = new CommandLine(new BenchMain());
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("--profile", "everything")).isEqualTo(2);
        assertThat(err.toString()).contains("--profile must be backlog, field or both");
        assertThat(new CommandLine(new BenchMain()).execute("--reuse-store", dir.toString())).isEqualTo(2);
        assertThat(new CommandLine(new BenchMain()).execute("--read", "--local")).isEqualTo(2);
        assertThat(new CommandLine(new BenchMain()).execute("--fleet", "--read")).isEqualTo(2);
        assertThat(new CommandLine(new BenchMain()).execute("--fleet", "--fleet-size", "0")).isEqualTo(2);
        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        assertThat(run(new String[] {"--local", "--mqtt-url", "tcp://127.0.0.1:1"}, refused)).isEqualTo(2);
        assertThat(refused.toString(StandardCharsets.UTF_8)).contains("--local measures ./ims's own embedded stack");
    }

    private static int run(String[] args, ByteArrayOutputStream text) {
        BenchMain main = new BenchMain();
        main.environment = Map.of("TIME_ZONE", "Europe/Berlin");
        main.out = new PrintStream(text, true, StandardCharsets.UTF_8);
        return new CommandLine(main).execute(args);
    }

    /** Every "pNN x ms" figure printed. */
    private static List<Double> percentiles(String text) {
        List<Double> out = new ArrayList<>();
        Matcher m = Pattern.compile("p(?:50|95|99) ([0-9.]+) ms").matcher(text);
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }
}
