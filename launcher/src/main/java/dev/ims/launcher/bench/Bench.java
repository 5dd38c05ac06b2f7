package dev.ims.launcher.bench;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.ims.ingest.IngestService;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Identity;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.security.Role;
import java.nio.charset.StandardCharsets;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.storage.StoreSchema;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * One benchmark run against a running broker and store (embedded or real). Each phase uses its own topics,
 * meter IDs and collections, so phases do not disturb each other. Every meter publishes on its own MQTT connection
 * under its own identity (the broker lets a meter publish only its own readings); {@code connections} publisher
 * threads each drive a share of the meters, QoS 1 with a bounded window in flight per thread.
 */
final class Bench {

    /**
     * @param seconds length of each timed phase
     * @param connections publisher threads (each drives its share of the meters' connections)
     * @param meters simulated meters in all
     * @param window QoS 1 publishes in flight per connection
     */
    record Options(int seconds, int connections, int meters, int window) {}

    /** What the run measured. Rates in messages per second, latencies in milliseconds. */
    record Result(double brokerRate, double storeRate, double pipelineRate, long published, long stored, long lost, long duplicated,
            double p50Full, double p95Full, double p99Full, double halfRate, double p50Half, double p95Half, double p99Half) {}

    private static final ReadingCodec CODEC = new ReadingCodec();
    static final int UNSTORED = 2_000;

    private final ImsSettings settings;
    private final Options options;
    private final PrintStream out;
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private final BenchIdentities identities;
    private final InMemoryDirectory services;

    /**
     * @param identities the meters' credentials on the bench's broker
     * @param services the broker's service identities, to which the bench adds its ingest and subscriber
     */
    Bench(ImsSettings settings, Options options, BenchIdentities identities, InMemoryDirectory services, PrintStream out) {
        this.settings = settings;
        this.identities = identities;
        this.services = services;
        this.options = options;
        this.out = out;
    }

    Result run() throws Exception {
        double broker = brokerAlone();
        out.printf("  broker alone (publish -> subscribe, QoS 1, no storage): %,.0f msg/s%n", broker);
        double store = storeAlone();
        out.printf("  store alone (batched inserts of reading documents):     %,.0f docs/s%n", store);
        String ingestId = settings.ingestGroup() + "-bench-" + run;
        ImsSettings ingestIms = settings.withMqttCredential(services.add(new Identity(Role.INGEST, ingestId)));
        try (IngestService ingest = new IngestService(IngestSettings.of(ingestIms, ingestId).alone())) {
            ingest.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
            Latencies full = new Latencies(5_000_000);
            Phase f = pipeline(ingest, "full", 0, full);
            out.printf("  end to end, full load: %,.0f readings/s stored; latency publish->stored p50 %.1f ms, p95 %.1f ms, p99 %.1f ms%n",
                    f.rate, full.percentileMillis(50), full.percentileMillis(95), full.percentileMillis(99));
            Latencies half = new Latencies(5_000_000);
            double halfRate = f.rate / 2;
            Phase h = pipeline(ingest, "half", halfRate, half);
            out.printf("  end to end, half load (%,.0f/s offered): %,.0f readings/s; p50 %.1f ms, p95 %.1f ms, p99 %.1f ms%n",
                    halfRate, h.rate, half.percentileMillis(50), half.percentileMillis(95), half.percentileMillis(99));
            long published = f.published + h.published;
            long stored = f.stored + h.stored;
            long duplicated = ingest.counters().duplicates();
            out.printf("  readings published (PUBACKed) %,d, stored %,d: lost %,d, duplicated %,d%n", published, stored,
                    Math.max(0, published - stored), duplicated);
            return new Result(broker, store, f.rate, published, stored, Math.max(0, published - stored), duplicated,
                    full.percentileMillis(50), full.percentileMillis(95), full.percentileMillis(99), halfRate,
                    half.percentileMillis(50), half.percentileMillis(95), half.percentileMillis(99));
        }
    }


    private record Phase(double rate, long published, long stored) {}

    /**
     * Publishes readings of {@code options.meters()} meters for {@code options.seconds()}, as fast as the
     * pipeline takes them ({@code rate} 0) or at {@code rate} per second, then waits until the ingest stored
     * them. "As fast as the pipeline takes them" is a closed loop: at most {@value #UNSTORED} readings may be
     * published and not yet stored, so the broker's queue does not grow and latency is the pipeline's, not a
     * backlog's. Readings carry their publish time as {@code ts}; stored minus that is the latency.
     */
    private Phase pipeline(IngestService ingest, String name, double rate, Latencies latencies) throws Exception {
        String prefix = "bench-" + run + "-" + name + "-";
        Semaphore unstored = new Semaphore(UNSTORED);
        ingest.onStored(batch -> {
            long now = System.currentTimeMillis();
            int mine = 0;
            for (Reading r : batch) {
                if (r.meterId().startsWith(prefix)) {
                    latencies.add((now - r.ts().toEpochMilli()) * 1000);
                    mine++;
                }
            }
            unstored.release(mine);
        });
        int perConnection = Math.max(1, options.meters() / options.connections());
        List<Mqtt5AsyncClient> meters = connect(prefix, perConnection * options.connections());
        AtomicLong acked = new AtomicLong();
        long[] seqs = new long[perConnection * options.connections()];
        int threadCount = options.connections();
        long end = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
        long started = System.nanoTime();
        long gapNanos = rate > 0 ? (long) (1e9 / rate) : 0;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < threadCount; c++) {
            int connection = c;
            Thread t = new Thread(() -> {
                Semaphore window = new Semaphore(options.window());
                long next = System.nanoTime();
                int m = 0;
                while (System.nanoTime() < end) {
                    if (gapNanos > 0) {
                        next += gapNanos * threadCount;
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                    window.acquireUninterruptibly();
                    unstored.acquireUninterruptibly();
                    int meter = connection * perConnection + m;
                    m = (m + 1) % perConnection;
                    long seq = seqs[meter]++;
                    String id = prefix + meter;
                    Reading r = Reading.of(id, seq, Instant.now(), seq * 0.001, 500.0, 230.0, 2.2, null, null);
                    meters.get(meter).publishWith().topic(settings.topicPrefix() + "/" + id + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                            .payload(CODEC.encode(r)).send().whenComplete((res, e) -> {
                                if (e == null) {
                                    acked.incrementAndGet();
                                } else {
                                    unstored.release();
                                }
                                window.release();
                            });
                }
                window.acquireUninterruptibly(options.window());
            }, "bench-publisher-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        meters.forEach(c -> c.disconnect());
        long published = acked.get();
        // Everything published is stored when all permits are back (or the store says otherwise: then count it).
        unstored.tryAcquire(UNSTORED, 120, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        long stored = waitStored(prefix, published);
        return new Phase(stored / elapsed, published, stored);
    }

    private long waitStored(String prefix, long expected) throws InterruptedException {
        try (MongoClient mongo = MongoClients.create(settings.mongoUri().orElseThrow())) {
            MongoCollection<Document> readings = mongo.getDatabase(settings.mongoDatabase()).getCollection(StoreSchema.READINGS);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            long stored = 0;
            long last = -1;
            long lastChange = System.nanoTime();
            while (System.nanoTime() < deadline) {
                stored = Mono.from(readings.countDocuments(Filters.regex(StoreSchema.METER_ID, "^" + prefix))).block();
                if (stored >= expected) {
                    return stored;
                }
                if (stored != last) {
                    last = stored;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > Duration.ofSeconds(30).toNanos()) {
                    return stored;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
            return stored;
        }
    }

    /**
     * Meters publish readings that one subscriber (with the ingest's rights, acknowledging at once) receives; no
     * ingest runs yet, and the pipeline's ingest later starts a new session, so none of them is stored.
     */
    private double brokerAlone() throws Exception {
        MqttEndpoint endpoint = MqttEndpoint.parse(settings.mqttUrl().orElseThrow());
        AtomicLong received = new AtomicLong();
        Credential sub = services.add(new Identity(Role.INGEST, "ims-bench-sub-" + run));
        Mqtt5AsyncClient subscriber = Mqtt5Client.builder().identifier(sub.username()).serverHost(endpoint.host())
                .serverPort(endpoint.port()).simpleAuth().username(sub.username()).password(sub.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().buildAsync();
        subscriber.publishes(MqttGlobalPublishFilter.ALL, p -> received.incrementAndGet());
        subscriber.connect().get(10, TimeUnit.SECONDS);
        subscriber.subscribeWith().topicFilter(settings.topicPrefix() + "/+/reading").qos(MqttQos.AT_LEAST_ONCE).send()
                .get(10, TimeUnit.SECONDS);
        String prefix = "bench-raw-" + run + "-";
        List<Mqtt5AsyncClient> clients = connect(prefix, options.connections());
        byte[] payload = CODEC.encode(Reading.of("raw-0", 0, Instant.now(), 1.0, 500.0, 230.0, 2.2, null, null));
        long end = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            Mqtt5AsyncClient client = clients.get(c);
            String t = settings.topicPrefix() + "/" + prefix + c + "/reading";
            Thread thread = new Thread(() -> {
                Semaphore window = new Semaphore(options.window());
                while (System.nanoTime() < end) {
                    window.acquireUninterruptibly();
                    client.publishWith().topic(t).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send().whenComplete((r, e) -> window.release());
                }
                window.acquireUninterruptibly(options.window());
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long count = received.get();
        clients.forEach(c -> c.disconnect());
        subscriber.disconnect();
        services.remove(sub.username());
        return count / seconds;
    }

    /** Batches of 500 reading documents, as the ingest writes them, into a scratch collection dropped afterwards. */
    private double storeAlone() {
        try (MongoClient mongo = MongoClients.create(settings.mongoUri().orElseThrow())) {
            MongoCollection<Document> scratch = mongo.getDatabase(settings.mongoDatabase()).getCollection("bench_" + run);
            Mono.from(scratch.createIndex(new Document(StoreSchema.METER_ID, 1).append(StoreSchema.SEQ, 1),
                    new com.mongodb.client.model.IndexOptions().unique(true))).block();
            long end = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
            long started = System.nanoTime();
            long written = 0;
            long seq = 0;
            while (System.nanoTime() < end) {
                List<Document> batch = new ArrayList<>(500);
                Instant now = Instant.now();
                for (int i = 0; i < 500; i++) {
                    String meter = "store-" + (i % 50);
                    batch.add(IngestService.readingDocument(Reading.of(meter, seq + i / 50, now, 1.0, 500.0, 230.0, 2.2, null, null), now));
                }
                seq += 10;
                Mono.from(scratch.insertMany(batch, new InsertManyOptions().ordered(false))).block();
                written += batch.size();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Mono.from(scratch.drop()).block();
            return written / seconds;
        }
    }

    /** {@code n} meters {@code prefix + i}, each connected under its own identity. */
    private List<Mqtt5AsyncClient> connect(String prefix, int n) {
        MqttEndpoint endpoint = MqttEndpoint.parse(settings.mqttUrl().orElseThrow());
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Credential meter = identities.meter(prefix + i);
            Mqtt5AsyncClient c = Mqtt5Client.builder().identifier(meter.username()).serverHost(endpoint.host()).serverPort(endpoint.port())
                    .simpleAuth().username(meter.username()).password(meter.password().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                    .buildAsync();
            clients.add(c);
            connecting.add(c.connect());
        }
        CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).join();
        return clients;
    }
}
