package dev.ims.launcher.bench;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import dev.ims.ingest.IngestService;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Role;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.ReadingDocs;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.bson.Document;
import reactor.core.publisher.Mono;

/**
 * The write phases of one benchmark run against a running broker and store (embedded or real): the broker alone, the
 * store alone, then the pipeline end to end for each {@link Profile}. Each phase uses its own topics, meter IDs and
 * collections, so phases do not disturb each other. Every meter publishes on its own MQTT connection under its own
 * identity (the broker lets a meter publish only its own readings); {@code connections} publisher threads each drive
 * a share of the meters, QoS 1 with a bounded window in flight per thread.
 */
final class Bench {

    /**
     * How the meters send.
     * <ul>
     *   <li>{@link #BACKLOG}: few meters, each sending many readings with history-like times one minute apart (a
     *       backfill, an outbox drained after an outage): a batch holds many readings of one meter's hour.
     *   <li>{@link #FIELD}: many meters, each sending one reading per round, round robin, stamped now (live
     *       traffic): a batch holds about one reading per meter.
     * </ul>
     */
    enum Profile {
        BACKLOG(1.5), FIELD(0.8);

        /** The target for end to end ÷ store alone. */
        final double target;

        Profile(double target) {
            this.target = target;
        }

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param seconds length of each timed phase
     * @param connections publisher threads (each drives its share of the meters' connections)
     * @param meters simulated meters of the field profile
     * @param backlogMeters simulated meters of the backlog profile
     * @param window QoS 1 publishes in flight per connection
     * @param profiles the end-to-end profiles to run, in this order
     * @param halfLoad whether the field profile is also run at half its full-load rate (latency of a pipeline with room)
     */
    record Options(int seconds, int connections, int meters, int backlogMeters, int window, List<Profile> profiles, boolean halfLoad) {}

    /**
     * One profile's end-to-end figures. Rates in readings per second, latencies (publish to stored) in milliseconds.
     *
     * @param half the same profile at half load, or null when not run
     */
    record ProfileResult(Profile profile, double rate, double p50, double p95, double p99, StoredSeqs.Count count,
            StoredSeqs.Duplicates sample, ProfileResult half) {

        long lost() {
            return count.lost() + (half == null ? 0 : half.lost());
        }

        long duplicated() {
            return sample.duplicated() + (half == null ? 0 : half.duplicated());
        }
    }

    /** What the run measured. Rates in messages per second. */
    record Result(double brokerRate, double storeRate, List<ProfileResult> profiles, long redeliveries) {
        long lost() {
            return profiles.stream().mapToLong(ProfileResult::lost).sum();
        }

        long duplicated() {
            return profiles.stream().mapToLong(ProfileResult::duplicated).sum();
        }
    }

    private static final ReadingCodec CODEC = new ReadingCodec();
    /** The closed loop's bound: readings published and not yet stored. */
    static final int UNSTORED = 2_000;
    /** Readings per batch of the store-alone phase. */
    private static final int STORE_BATCH = 500;

    private final ImsSettings settings;
    private final Options options;
    private final PrintStream out;
    private final BenchAccounts accounts;
    private final UsageCalendar calendar;
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    Bench(ImsSettings settings, Options options, BenchAccounts accounts, PrintStream out) {
        this.settings = settings;
        this.accounts = accounts;
        this.options = options;
        this.out = out;
        this.calendar = new UsageCalendar(settings.timeZone());
    }

    Result run() throws Exception {
        double broker = brokerAlone();
        out.printf("  broker alone (publish -> subscribe, QoS 1, no storage): %,.0f msg/s%n", broker);
        double store = storeAlone();
        out.printf("  store alone (batched inserts of reading documents, _id index only): %,.0f docs/s%n", store);
        String ingestId = settings.ingestGroup() + "-bench-" + run;
        ImsSettings ingestIms = settings.withMqttCredential(accounts.service(Role.INGEST, ingestId));
        List<ProfileResult> results = new ArrayList<>();
        // With its backlog session, as deployed: the backlog profile publishes on backlog, the field profile on reading.
        Credential backlogIdentity = accounts.service(Role.INGEST, IngestSettings.backlogIdentity(ingestId));
        // The ingest's own environment (INGEST_ROLLUP_DELAY_MS, ...) as ./ims reads it: the bench measures what runs.
        try (IngestService ingest = new IngestService(IngestSettings.of(ingestIms, ingestId).alone()
                        .with(dev.ims.ingest.IngestLimits.from(System.getenv())).withBacklog(backlogIdentity));
                MongoClient mongo = MongoClients.create(settings.mongoUri().orElseThrow())) {
            ingest.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
            StoredSeqs seqs = new StoredSeqs(mongo.getDatabase(settings.mongoDatabase()), calendar);
            for (Profile p : options.profiles()) {
                ProfileResult full = pipeline(ingest, seqs, p, "full", 0);
                print(full, "full load");
                ProfileResult half = null;
                if (p == Profile.FIELD && options.halfLoad()) {
                    half = pipeline(ingest, seqs, p, "half", full.rate() / 2);
                    print(half, String.format("half load (%,.0f/s offered)", full.rate() / 2));
                }
                ProfileResult r = new ProfileResult(p, full.rate(), full.p50(), full.p95(), full.p99(), full.count(), full.sample(), half);
                results.add(r);
                double ratio = r.rate() / store;
                out.printf("  %s: end to end / store alone = %.2f (target >= %.1f%s): %s%n", p.label(), ratio, p.target,
                        accounts.embedded() ? ", measured with Mosquitto as the broker" : "", ratio >= p.target ? "met" : "MISSED");
                if (accounts.embedded()) {
                    double smaller = Math.min(broker, store);
                    double all = r.rate() / smaller;
                    out.printf("  %s: all embedded, end to end / smaller raw limit = %.2f (target >= 0.8): %s%n", p.label(), all,
                            all >= 0.8 ? "met" : "MISSED");
                }
            }
            long redeliveries = ingest.counters().duplicates();
            Result result = new Result(broker, store, results, redeliveries);
            out.printf("  all profiles: lost %,d, duplicated %,d (target 0 and 0): %s; redelivered copies the ingest recognised and"
                    + " refused: %,d%n", result.lost(), result.duplicated(), result.lost() == 0 && result.duplicated() == 0 ? "met" : "MISSED",
                    redeliveries);
            return result;
        }
    }

    private void print(ProfileResult r, String load) {
        out.printf("  %s, %s: %,.0f readings/s stored; latency publish->stored p50 %.1f ms, p95 %.1f ms, p99 %.1f ms%n", r.profile().label(),
                load, r.rate(), r.p50(), r.p95(), r.p99());
        out.printf("  %s, %s: published (PUBACKed) %,d, stored %,d: lost %,d%s; sample meter: %,d readings in its buckets, %,d distinct"
                + " seqs: duplicated %,d%n", r.profile().label(), load, r.count().published(), r.count().stored(), r.count().lost(),
                r.count().lostExamples().isEmpty() ? "" : " (e.g. " + String.join(", ", r.count().lostExamples()) + ")",
                r.sample().readings(), r.sample().distinct(), r.sample().duplicated());
    }

    /**
     * Publishes readings of the profile's meters for {@code options.seconds()}, as fast as the pipeline takes them
     * ({@code rate} 0) or at {@code rate} per second, then waits until the ingest stored them and counts them in the
     * store. "As fast as the pipeline takes them" is a closed loop: at most {@value #UNSTORED} readings may be
     * published and not yet stored, so the broker's queue does not grow and latency is the pipeline's, not a
     * backlog's. A reading's publish time is kept by the bench (a backlog reading's {@code ts} is in the past).
     */
    private ProfileResult pipeline(IngestService ingest, StoredSeqs seqs, Profile profile, String load, double rate) throws Exception {
        // History goes on backlog (its own session and in-flight window in the ingest), live readings on reading.
        String topicSuffix = profile == Profile.BACKLOG ? "/backlog" : "/reading";
        String prefix = "bench-" + run + "-" + profile.label().charAt(0) + load.charAt(0) + "-";
        int meterCount = profile == Profile.FIELD ? options.meters() : options.backlogMeters();
        int perConnection = Math.max(1, meterCount / options.connections());
        int threadCount = Math.min(options.connections(), meterCount);
        int n = perConnection * threadCount;
        Latencies latencies = new Latencies(5_000_000);
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Semaphore unstored = new Semaphore(UNSTORED);
        ingest.onStored(batch -> {
            long now = System.nanoTime();
            int mine = 0;
            for (Reading r : batch) {
                if (r.meterId().startsWith(prefix)) {
                    Long sent = sentAt.remove(key(Integer.parseInt(r.meterId().substring(prefix.length())), r.seq()));
                    if (sent != null) {
                        latencies.add((now - sent) / 1000);
                        mine++;
                    }
                }
            }
            unstored.release(mine);
        });
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(prefix + i);
        }
        accounts.registerMeters(ids);
        List<Mqtt5AsyncClient> meters = connect(ids);
        BitSet[] published = new BitSet[n];
        for (int i = 0; i < n; i++) {
            published[i] = new BitSet();
        }
        long[] nextSeq = new long[n];
        // Backlog: readings one minute apart from a month ago on (the fleet's history is 30 days); field: stamped now.
        Instant history = Instant.now().minus(Duration.ofDays(30)).truncatedTo(ChronoUnit.MINUTES);
        Instant firstLive = Instant.now();
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
                    long seq = nextSeq[meter]++;
                    Instant ts = profile == Profile.BACKLOG ? history.plus(Duration.ofMinutes(seq)) : Instant.now();
                    Reading r = Reading.of(ids.get(meter), seq, ts, seq * 0.001, 500.0, 230.0, 2.2, null, null);
                    sentAt.put(key(meter, seq), System.nanoTime());
                    meters.get(meter).publishWith().topic(settings.topicPrefix() + "/" + ids.get(meter) + topicSuffix).qos(MqttQos.AT_LEAST_ONCE)
                            .payload(CODEC.encode(r)).send().whenComplete((res, e) -> {
                                if (e == null) {
                                    synchronized (published[meter]) {
                                        published[meter].set((int) seq);
                                    }
                                } else if (sentAt.remove(key(meter, seq)) != null) {
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
        meters.forEach(Mqtt5AsyncClient::disconnect);
        // Everything published is stored when all permits are back (or the store says otherwise: then count it).
        unstored.tryAcquire(UNSTORED, 120, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - started) / 1e9;
        Map<String, BitSet> sent = new LinkedHashMap<>();
        long maxSeq = 0;
        for (int i = 0; i < n; i++) {
            synchronized (published[i]) {
                sent.put(ids.get(i), (BitSet) published[i].clone());
            }
            maxSeq = Math.max(maxSeq, nextSeq[i]);
        }
        Instant from = profile == Profile.BACKLOG ? history : firstLive.minusSeconds(60);
        Instant to = profile == Profile.BACKLOG ? history.plus(Duration.ofMinutes(maxSeq)) : Instant.now().plusSeconds(60);
        StoredSeqs.Count count = waitStored(seqs, sent, from, to);
        StoredSeqs.Duplicates sample = seqs.duplicatesIn(ids.get(0), from, to);
        return new ProfileResult(profile, count.stored() / elapsed, latencies.percentileMillis(50), latencies.percentileMillis(95),
                latencies.percentileMillis(99), count, sample, null);
    }

    private static long key(int meter, long seq) {
        return ((long) meter << 40) | seq;
    }

    /** Counts until every published reading is stored, or nothing more arrived for 30 s (then the rest is lost). */
    private StoredSeqs.Count waitStored(StoredSeqs seqs, Map<String, BitSet> sent, Instant from, Instant to) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        StoredSeqs.Count last = null;
        long lastChange = System.nanoTime();
        while (true) {
            StoredSeqs.Count c = seqs.count(sent, from, to);
            if (c.lost() == 0 || System.nanoTime() > deadline) {
                return c;
            }
            if (last == null || c.stored() != last.stored()) {
                last = c;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > Duration.ofSeconds(30).toNanos()) {
                return c;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /**
     * Meters publish readings that one subscriber (with the ingest's rights, acknowledging at once) receives; no
     * ingest runs yet, and the pipeline's ingest later starts a new session, so none of them is stored.
     */
    private double brokerAlone() throws Exception {
        MqttEndpoint endpoint = MqttEndpoint.parse(settings.mqttUrl().orElseThrow());
        AtomicLong received = new AtomicLong();
        Credential sub = accounts.service(Role.INGEST, "ims-bench-sub-" + run);
        Mqtt5AsyncClient subscriber = Mqtt5Client.builder().identifier(sub.username()).serverHost(endpoint.host())
                .serverPort(endpoint.port()).simpleAuth().username(sub.username()).password(sub.password().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth().buildAsync();
        subscriber.publishes(MqttGlobalPublishFilter.ALL, p -> received.incrementAndGet());
        subscriber.connect().get(10, TimeUnit.SECONDS);
        subscriber.subscribeWith().topicFilter(settings.topicPrefix() + "/+/reading").qos(MqttQos.AT_LEAST_ONCE).send()
                .get(10, TimeUnit.SECONDS);
        String prefix = "bench-" + run + "-raw-";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < options.connections(); i++) {
            ids.add(prefix + i);
        }
        accounts.registerMeters(ids);
        List<Mqtt5AsyncClient> clients = connect(ids);
        byte[] payload = CODEC.encode(Reading.of("raw-0", 0, Instant.now(), 1.0, 500.0, 230.0, 2.2, null, null));
        long end = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
        long started = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            Mqtt5AsyncClient client = clients.get(c);
            String t = settings.topicPrefix() + "/" + ids.get(c) + "/reading";
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
        clients.forEach(Mqtt5AsyncClient::disconnect);
        subscriber.disconnect();
        return count / seconds;
    }

    /**
     * Batches of {@value #STORE_BATCH} reading documents (the shape a reading has in the store, {@link
     * ReadingDocs#reading}) inserted into a scratch collection with only the {@code _id} index, dropped afterwards:
     * the store's plain document rate, which the pipeline's bucketed writes are measured against.
     */
    private double storeAlone() {
        try (MongoClient mongo = MongoClients.create(settings.mongoUri().orElseThrow())) {
            MongoCollection<Document> scratch = mongo.getDatabase(settings.mongoDatabase()).getCollection("bench_" + run);
            long end = System.nanoTime() + Duration.ofSeconds(options.seconds()).toNanos();
            long started = System.nanoTime();
            long written = 0;
            long seq = 0;
            while (System.nanoTime() < end) {
                List<Document> batch = new ArrayList<>(STORE_BATCH);
                Instant now = Instant.now();
                for (int i = 0; i < STORE_BATCH; i++) {
                    String meter = "store-" + (i % 50);
                    batch.add(ReadingDocs.reading(Reading.of(meter, seq + i / 50, now, 1.0, 500.0, 230.0, 2.2, null, null), now));
                }
                seq += STORE_BATCH / 50;
                Mono.from(scratch.insertMany(batch, new InsertManyOptions().ordered(false))).block();
                written += batch.size();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Mono.from(scratch.drop()).block();
            return written / seconds;
        }
    }

    /** The meters {@code ids}, each connected under its own identity. */
    private List<Mqtt5AsyncClient> connect(List<String> ids) {
        MqttEndpoint endpoint = MqttEndpoint.parse(settings.mqttUrl().orElseThrow());
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        for (String id : ids) {
            Credential meter = accounts.meter(id);
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
