package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5ClientBuilder;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.command.CommandAck;
import dev.ims.model.config.MqttEndpoint;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import dev.ims.model.mqtt.MqttClients;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.topic.TopicAddress;
import dev.ims.model.topic.TopicKind;
import dev.ims.model.topic.Topics;
import dev.ims.model.usage.UsageCalendar;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Receives readings and status messages and stores them. {@link #start()} fails its stage when the
 * database or the broker cannot be reached at start; afterwards broker loss is healed by the client's
 * automatic reconnect and database errors by retrying the batch with capped backoff, messages staying
 * unacknowledged (and so held by the broker) meanwhile.
 */
public final class IngestService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration SUMMARY = Duration.ofSeconds(30);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

    private final IngestSettings settings;
    private final Topics topics;
    private final ReadingCodec codec = new ReadingCodec();
    private final UsageCalendar calendar;
    private final Clock clock = Clock.systemUTC();
    private final IngestCounters counters = new IngestCounters();
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    /** Latest (seq, register) per meter; touched by the writer thread only. */
    private final Map<String, double[]> latest = new HashMap<>();
    /** In {@link #latest}: the meter has no stored reading yet. */
    private static final double[] NONE = new double[0];
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ingest-timer"));

    private volatile boolean running;
    private volatile boolean brokerUp;
    private volatile boolean stopping;
    private MongoClient mongo;
    private MongoDatabase db;
    private volatile Instant databaseDownSince;
    private MeterRegistry registry;
    private Timer batchWrites;
    private DistributionSummary batchSizes;
    private CommandTracker commands;
    private volatile Duration commandAckTimeout = CommandTracker.DEFAULT_ACK_TIMEOUT;
    static final Duration COMMAND_SWEEP = Duration.ofSeconds(2);
    private Mqtt5AsyncClient mqtt;
    private Thread writer;

    /** One received message with what is to be written for it. */
    private record Item(Mqtt5Publish publish, Reading reading, StatusMessage status, Document rejected, Ack ack) {
        Item(Mqtt5Publish publish, Reading reading, StatusMessage status, Document rejected) {
            this(publish, reading, status, rejected, null);
        }
    }

    private record Ack(String meterId, CommandAck ack) {}

    public IngestService(IngestSettings settings) {
        this.settings = settings;
        this.topics = new Topics(settings.ims().topicPrefix());
        this.calendar = new UsageCalendar(settings.ims().timeZone());
    }

    private volatile Consumer<List<Reading>> storedListener;

    public IngestCounters counters() {
        return counters;
    }

    public CompletionStage<Void> start() {
        String uri = settings.ims().mongoUri().orElseThrow(() -> new IllegalStateException("MONGO_URI is not set"));
        MqttEndpoint endpoint = settings.ims().mqttEndpoint().orElseThrow(() -> new IllegalStateException("MQTT_URL is not set"));
        mongo = MongoClients.create(uri);
        db = mongo.getDatabase(settings.ims().mongoDatabase());
        commands = new CommandTracker(db, clock, registry);
        commands.ackTimeout(commandAckTimeout);
        return CompletableFuture.runAsync(this::prepareDatabase)
                .thenCompose(v -> connect(endpoint))
                .thenRun(() -> {
                    running = true;
                    writer = new Thread(this::writeLoop, "ingest-writer");
                    writer.start();
                    timer.scheduleWithFixedDelay(this::heartbeat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(commands::sweep, COMMAND_SWEEP.toMillis(), COMMAND_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(new Summary(), SUMMARY.toMillis(), SUMMARY.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("Ingest {} started: {} -> {}/{}", settings.clientId(), endpoint.url(),
                            dev.ims.model.config.ImsSettings.hideCredentials(uri), settings.ims().mongoDatabase());
                });
    }

    private void prepareDatabase() {
        Flux.concat(
                        db.getCollection(READINGS).createIndex(Indexes.ascending(METER_ID, SEQ), new IndexOptions().unique(true)),
                        db.getCollection(READINGS).createIndex(Indexes.ascending(METER_ID, TS)),
                        db.getCollection(REJECTED).createIndex(Indexes.descending(RECEIVED_AT)),
                        db.getCollection(DAILY).createIndex(Indexes.ascending(METER_ID, DAY)),
                        db.getCollection(HOURLY).createIndex(Indexes.ascending(METER_ID, HOUR)),
                        db.getCollection(QUARTER).createIndex(Indexes.ascending(METER_ID, START)),
                        db.getCollection(COMMANDS).createIndex(Indexes.ascending(STATE, REQUESTED_AT)),
                        db.getCollection(COMMANDS).createIndex(Indexes.ascending(METER_ID, REQUESTED_AT)))
                .then()
                .block(DB_TIMEOUT);
        Document previous = Mono.from(db.getCollection(SERVICES).find(Filters.eq(ID, settings.clientId())).first()).block(DB_TIMEOUT);
        if (previous != null) {
            counters.received.set(number(previous, "received"));
            counters.stored.set(number(previous, "stored"));
            counters.duplicates.set(number(previous, "duplicates"));
            counters.rejected.set(number(previous, "rejected"));
        }
    }

    private CompletableFuture<Void> connect(MqttEndpoint endpoint) {
        Mqtt5ClientBuilder builder = MqttClients.builder(settings.ims(), endpoint, settings.clientId(), Duration.ofMillis(500),
                        Duration.ofSeconds(10), () -> stopping)
                .addConnectedListener(c -> {
                    if (stopping) {
                        // A reconnect that was already under way when stop() ran: leave at once.
                        mqtt.disconnect();
                        return;
                    }
                    brokerUp = true;
                    LOG.info("Connected to broker {}", endpoint.url());
                })
                .addDisconnectedListener(c -> {
                    if (brokerUp && !stopping) {
                        LOG.warn("Disconnected from broker: {}", c.getCause().getMessage());
                    }
                    brokerUp = false;
                });
        mqtt = builder.buildAsync();
        // Registered before connecting, so messages the broker kept in our session are not missed.
        mqtt.publishes(MqttGlobalPublishFilter.ALL, this::onMessage, true);
        return mqtt.connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(IngestSettings.SESSION_EXPIRY.toSeconds())
                .restrictions().receiveMaximum(settings.receiveMaximum()).applyRestrictions()
                .send()
                // Two SUBSCRIBE packets, not one with both filters: HiveMQ CE (2025.5) stops spreading a shared
                // subscription across its members, and slows it down, when it arrives in the same SUBSCRIBE as
                // a plain one (measured: 2 000 messages, 340 delivered in 3 s, 7 to one member and 333 to the
                // other; separately: all 2 000, split about evenly).
                .thenCompose(ack -> mqtt.subscribeWith()
                        .topicFilter(readingFilter()).qos(MqttQos.AT_LEAST_ONCE)
                        .send())
                // Not shared: retained status messages are never sent to shared subscriptions.
                .thenCompose(subAck -> mqtt.subscribeWith()
                        .topicFilter(topics.allOf(TopicKind.STATUS)).qos(MqttQos.AT_LEAST_ONCE)
                        .send())
                .thenCompose(subAck -> mqtt.subscribeWith()
                        .topicFilter(topics.allOf(TopicKind.COMMAND_ACK)).qos(MqttQos.AT_LEAST_ONCE)
                        .send())
                .thenAccept(subAck -> LOG.info("Subscribed to {}, {} and {}",
                        readingFilter(), topics.allOf(TopicKind.STATUS), topics.allOf(TopicKind.COMMAND_ACK)));
    }

    private String readingFilter() {
        return settings.sharedSubscription() ? topics.shared(settings.ims().ingestGroup(), TopicKind.READING)
                : topics.allOf(TopicKind.READING);
    }

    /** On the MQTT client's thread: decode only, then hand over to the writer. */
    private void onMessage(Mqtt5Publish publish) {
        String topic = publish.getTopic().toString();
        byte[] payload = publish.getPayloadAsBytes();
        Instant now = clock.instant();
        Optional<TopicAddress> address = topics.parse(topic);
        // Readings and whatever is rejected count as received, once: received = stored + duplicates + rejected.
        // Valid status messages and command acknowledgements are not readings and are not counted.
        TopicKind kind = address.map(TopicAddress::kind).orElse(null);
        if (kind == TopicKind.READING) {
            counters.received.incrementAndGet();
        }
        try {
            if (kind == TopicKind.READING) {
                queue.add(new Item(publish, codec.decode(address.get().meterId(), payload), null, null));
            } else if (kind == TopicKind.STATUS) {
                queue.add(new Item(publish, null, StatusMessage.decode(address.get().meterId(), payload), null));
            } else if (kind == TopicKind.COMMAND_ACK) {
                queue.add(new Item(publish, null, null, null, new Ack(address.get().meterId(), CommandAck.decode(payload))));
            } else {
                throw new InvalidPayloadException(RejectReason.INVALID_TOPIC, "not a reading, status or acknowledgement topic: " + topic);
            }
        } catch (InvalidPayloadException e) {
            if (kind != TopicKind.READING) {
                counters.received.incrementAndGet(); // rejected, so counted, exactly once
            }
            queue.add(new Item(publish, null, null, Documents.rejected(topic, payload, e.reason(), e.getMessage(), now)));
        }
    }

    private void writeLoop() {
        List<Item> batch = new ArrayList<>(settings.batchSize());
        while (running || !queue.isEmpty()) {
            try {
                Item first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + settings.maxBatchDelay().toNanos();
                while (batch.size() < settings.batchSize()) {
                    Item next = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    queue.drainTo(batch, settings.batchSize() - batch.size());
                }
                long started = System.nanoTime();
                writeWithRetry(batch);
                if (batchWrites != null) {
                    batchWrites.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    batchSizes.record(batch.size());
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeWithRetry(List<Item> batch) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                write(batch);
                batch.forEach(i -> i.publish().acknowledge());
                Instant downSince = databaseDownSince;
                if (downSince != null) {
                    databaseDownSince = null;
                    LOG.info("Database back after {} s; writing again", Duration.between(downSince, clock.instant()).toSeconds());
                }
                return;
            } catch (RuntimeException e) {
                if (databaseDownSince == null) {
                    databaseDownSince = clock.instant();
                    LOG.warn("Database down; received messages stay unacknowledged (the broker keeps them), retrying with backoff up to 10 s: {}",
                            e.toString());
                } else {
                    LOG.debug("Database write failed again, retrying in {} ms: {}", backoff, e.toString());
                }
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
                if (!running && backoff >= 10_000) {
                    LOG.error("Stopping with {} unwritten messages; the broker will redeliver them", batch.size());
                    throw new InterruptedException("stopping");
                }
            }
        }
    }

    /** Writes one batch; idempotent, so a retry after a partial failure is safe. */
    private void write(List<Item> batch) {
        Instant now = clock.instant();
        List<Reading> valid = new ArrayList<>();
        List<Document> rejected = new ArrayList<>();
        List<StatusMessage> statuses = new ArrayList<>();
        List<Ack> acks = new ArrayList<>();
        loadLatest(batch);
        for (Item i : batch) {
            if (i.rejected() != null) {
                rejected.add(i.rejected());
            } else if (i.status() != null) {
                statuses.add(i.status());
            } else if (i.ack() != null) {
                acks.add(i.ack());
            } else {
                String backwards = registerBackwards(i.reading());
                if (backwards != null) {
                    rejected.add(Documents.rejected(i.publish().getTopic().toString(), i.publish().getPayloadAsBytes(),
                            RejectReason.REGISTER_BACKWARDS, backwards, now));
                } else {
                    valid.add(i.reading());
                }
            }
        }
        long duplicates = 0;
        if (!valid.isEmpty()) {
            List<Document> docs = new ArrayList<>(valid.size());
            valid.forEach(r -> docs.add(Documents.reading(r, now)));
            try {
                Mono.from(db.getCollection(READINGS).insertMany(docs, new InsertManyOptions().ordered(false))).block(DB_TIMEOUT);
            } catch (MongoBulkWriteException e) {
                for (BulkWriteError error : e.getWriteErrors()) {
                    if (error.getCode() != 11000) {
                        throw e;
                    }
                    duplicates++;
                }
            }
            BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
            // Independent upserts: written concurrently, one round trip of waiting instead of four.
            Mono.when(
                            db.getCollection(HOURLY).bulkWrite(Documents.rollups(valid, calendar, HOURLY), unordered),
                            db.getCollection(DAILY).bulkWrite(Documents.rollups(valid, calendar, DAILY), unordered),
                            db.getCollection(QUARTER).bulkWrite(Documents.rollups(valid, calendar, QUARTER), unordered),
                            db.getCollection(METERS).bulkWrite(Documents.meters(valid, now), unordered))
                    .block(DB_TIMEOUT);
        }
        for (StatusMessage s : statuses) {
            // Filtered by _id alone (any store uses its primary index); the newest status wins through $max.
            Document meter = Mono.from(db.getCollection(METERS).findOneAndUpdate(Filters.eq(ID, s.meterId()),
                    Updates.combine(Updates.min(FIRST_SEEN, Date.from(now)),
                            Updates.max(CONNECTION_LAST, new Document(TS, Date.from(s.ts())).append(STATE, s.state().name()))),
                    new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER)
                            .projection(Projections.include(CLAIM_VERIFIER)))).block(DB_TIMEOUT);
            String verifier = ClaimCodes.verifierOf(s);
            if (verifier != null && (meter == null || meter.get(CLAIM_VERIFIER) == null)) {
                // First verifier wins: a later status cannot re-key a meter someone may already have claimed.
                // The condition is checked again atomically by the store; this path runs once per meter.
                Mono.from(db.getCollection(METERS).updateOne(
                        Filters.and(Filters.eq(ID, s.meterId()), Filters.exists(CLAIM_VERIFIER, false)),
                        Updates.set(CLAIM_VERIFIER, verifier))).block(DB_TIMEOUT);
            }
        }
        if (!rejected.isEmpty()) {
            Mono.from(db.getCollection(REJECTED).insertMany(rejected)).block(DB_TIMEOUT);
            if (registry != null) {
                for (Document r : rejected) {
                    registry.counter("ims.ingest.rejected", "reason", String.valueOf(r.getString(REASON)), "instance", settings.clientId()).increment();
                }
            }
        }
        for (Ack a : acks) {
            commands.onAck(a.meterId(), a.ack());
        }
        commands.onReadings(valid);
        counters.stored.addAndGet(valid.size() - duplicates);
        Consumer<List<Reading>> listener = storedListener;
        if (listener != null && !valid.isEmpty()) {
            listener.accept(valid);
        }
        counters.duplicates.addAndGet(duplicates);
        counters.rejected.addAndGet(rejected.size());
        for (Reading r : valid) {
            double[] l = latest.get(r.meterId());
            if (l == null || r.seq() > l[0]) {
                latest.put(r.meterId(), new double[] {r.seq(), r.energyKwh()});
            }
        }
    }

    /** Fills the latest-register cache for the batch's meters not in it yet, with one query. */
    private void loadLatest(List<Item> batch) {
        java.util.Set<String> unknown = new java.util.HashSet<>();
        for (Item i : batch) {
            if (i.reading() != null && !latest.containsKey(i.reading().meterId())) {
                unknown.add(i.reading().meterId());
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        for (Document m : Flux.from(db.getCollection(METERS).find(Filters.in(ID, unknown))).collectList().block(DB_TIMEOUT)) {
            Document latestDoc = m.get(LATEST, Document.class);
            if (latestDoc != null && m.get(LAST_SEQ) != null) {
                latest.putIfAbsent(m.getString(ID),
                        new double[] {((Number) m.get(LAST_SEQ)).doubleValue(), ((Number) latestDoc.get(ENERGY_KWH)).doubleValue()});
            }
        }
        for (String id : unknown) {
            latest.putIfAbsent(id, NONE);
        }
    }

    /**
     * Null when the register is consistent with the meter's latest reading: a later {@code seq} must not
     * have a lower register, an earlier one not a higher register. Else the reason.
     */
    private String registerBackwards(Reading r) {
        double[] l = latest.computeIfAbsent(r.meterId(), id -> {
            Document m = Mono.from(db.getCollection(METERS).find(Filters.eq(ID, id)).first()).block(DB_TIMEOUT);
            Document latestDoc = m == null ? null : m.get(LATEST, Document.class);
            return latestDoc == null || m.get(LAST_SEQ) == null ? null
                    : new double[] {((Number) m.get(LAST_SEQ)).doubleValue(), ((Number) latestDoc.get(ENERGY_KWH)).doubleValue()};
        });
        if (l == null || l == NONE) {
            latest.put(r.meterId(), new double[] {r.seq(), r.energyKwh()});
            return null;
        }
        if (r.seq() > l[0] && r.energyKwh() < l[1]) {
            latest.put(r.meterId(), l);
            return "energyKwh " + r.energyKwh() + " at seq " + r.seq() + " is below " + l[1] + " at earlier seq " + (long) l[0];
        }
        if (r.seq() < l[0] && r.energyKwh() > l[1]) {
            return "energyKwh " + r.energyKwh() + " at seq " + r.seq() + " is above " + l[1] + " at later seq " + (long) l[0];
        }
        if (r.seq() > l[0]) {
            latest.put(r.meterId(), new double[] {r.seq(), r.energyKwh()});
        }
        return null;
    }

    private void heartbeat() {
        try {
            Mono.from(db.getCollection(SERVICES).updateOne(Filters.eq(ID, settings.clientId()), Updates.combine(
                    Updates.set("kind", "ingest"),
                    Updates.set("broker", brokerUp ? "UP" : "DOWN"),
                    Updates.set("received", counters.received()),
                    Updates.set("stored", counters.stored()),
                    Updates.set("duplicates", counters.duplicates()),
                    Updates.set("rejected", counters.rejected()),
                    Updates.set("heartbeat", Date.from(clock.instant()))), new UpdateOptions().upsert(true))).block(DB_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("Heartbeat not written: {}", e.toString());
        }
    }

    /** Logs the counters when they changed: one line per 30 s at most, never per message. */
    private final class Summary implements Runnable {
        private String last = "";

        @Override
        public void run() {
            String now = counters.toString();
            if (!now.equals(last)) {
                LOG.info("Ingest totals: {}", now);
                last = now;
            }
        }
    }

    /**
     * Called on the writer thread after each batch is stored (before its messages are acknowledged) with
     * the batch's valid readings, duplicates included. For measurements; must be quick and must not throw.
     */
    public void onStored(Consumer<List<Reading>> listener) {
        this.storedListener = listener;
    }

    /** The document the ingest stores for a reading: for tools that measure the store with the real shape. */
    public static Document readingDocument(Reading r, Instant receivedAt) {
        return Documents.reading(r, receivedAt);
    }

    /** {@link #stop()}, waiting for it. */
    @Override
    public void close() {
        stop().toCompletableFuture().join();
    }

    /**
     * How long a relay command may wait for the meter's acknowledgement before it is {@code TIMED_OUT} or
     * {@code EXPIRED} (default 60 s). Set before {@link #start()}.
     */
    /**
     * Registers the ingest's meters in {@code registry} (set before {@link #start()}): messages by outcome,
     * rejections by reason, batch write time and size, queue length, broker and database up, command
     * transitions. Names start with {@code ims.ingest}; Prometheus shows them as {@code ims_ingest_*}.
     */
    public IngestService metrics(MeterRegistry registry) {
        this.registry = registry;
        String id = settings.clientId();
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::received).tag("outcome", "received").tag("instance", id)
                .description("messages taken from the broker that count: readings and anything rejected").register(registry);
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::stored).tag("outcome", "stored").tag("instance", id).register(registry);
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::duplicates).tag("outcome", "duplicate").tag("instance", id).register(registry);
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::rejected).tag("outcome", "rejected").tag("instance", id).register(registry);
        Gauge.builder("ims.ingest.queue", queue, BlockingQueue::size).tag("instance", id)
                .description("messages received and not yet written (bounded by the broker's in-flight window)").register(registry);
        Gauge.builder("ims.ingest.database.up", this, s -> s.databaseUp() ? 1 : 0).tag("instance", id).register(registry);
        Gauge.builder("ims.ingest.broker.up", this, s -> s.brokerUp ? 1 : 0).tag("instance", id).register(registry);
        batchWrites = Timer.builder("ims.ingest.batch.write").tag("instance", id).description("time to write one batch, retries included")
                .publishPercentileHistogram().register(registry);
        batchSizes = DistributionSummary.builder("ims.ingest.batch.size").tag("instance", id).register(registry);
        return this;
    }

    public IngestService commandAckTimeout(Duration timeout) {
        this.commandAckTimeout = timeout;
        return this;
    }

    /** False from a failed write until a write succeeds again: the database is down or refusing writes. */
    public boolean databaseUp() {
        return databaseDownSince == null;
    }

    /** Stops taking messages, writes what was received, disconnects; unacknowledged messages stay with the broker. */
    public CompletionStage<Void> stop() {
        stopping = true;
        return CompletableFuture.runAsync(() -> {
            if (mqtt != null) {
                try {
                    mqtt.disconnect().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.debug("Disconnect: {}", e.toString());
                }
            }
            running = false;
            if (writer != null) {
                try {
                    writer.join(15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            timer.shutdownNow();
            heartbeat();
            if (mongo != null) {
                mongo.close();
            }
            LOG.info("Ingest stopped ({})", counters);
        });
    }

    private static long number(Document d, String key) {
        Object v = d.get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
