package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
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
import dev.ims.model.security.Credential;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.ReadingLimits;
import dev.ims.model.log.LogSafe;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.topic.TopicAddress;
import dev.ims.model.topic.TopicKind;
import dev.ims.model.topic.Topics;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.FleetFeed;
import dev.ims.store.ReadingDocs;
import dev.ims.store.StoreLayout;
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
 * unacknowledged (and so held by the broker) meanwhile. Readings are stored in the layout of module meter-store
 * ({@link BatchWrites}: hour buckets, day documents, meters); a store of the layout before it is migrated at start,
 * before any message is taken ({@link LayoutMigration}). While more messages wait than the batch being written, the day
 * and meter writes of stored readings are held up to {@link IngestLimits#rollupDelay()} and written once per meter
 * ({@link DeferredRollups}, with a journal that a restart re-rolls); an idle ingest writes them before acknowledging.
 */
public final class IngestService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Duration SUMMARY = Duration.ofSeconds(30);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

    private final IngestSettings settings;
    private final Topics topics;
    private final ReadingCodec codec = new ReadingCodec();
    private final ReadingLimits wireLimits = codec.limits();
    private final UsageCalendar calendar;
    private final Clock clock = Clock.systemUTC();
    private final IngestCounters counters = new IngestCounters();
    /** The figures of the heartbeat for the staff's pipeline monitor. */
    private final PipelineFigures pipeline = new PipelineFigures();
    /**
     * What the live session received (live readings, statuses, acknowledgements) and what the backlog session did
     * (history, outbox drains, and readings staff accepted), not yet written. The writer always takes live items
     * first, so a live item waits at most for the backlog batch being written. {@link #arrived} counts additions
     * (a permit each) so that the writer can sleep on both queues.
     */
    private final BlockingQueue<Item> liveQueue = new LinkedBlockingQueue<>();
    private final BlockingQueue<Item> backlogQueue = new LinkedBlockingQueue<>();
    private final java.util.concurrent.Semaphore arrived = new java.util.concurrent.Semaphore(0);
    private final Plausibility plausibility;
    /**
     * Each meter's last stored reading, least recently seen evicted first (re-read from the store when the
     * meter reports again), so memory stays bounded whatever meter IDs arrive. Writer thread only.
     */
    private final Map<String, Plausibility.Baseline> baselines;
    /** In {@link #baselines}: the meter has no stored reading yet. */
    private static final Plausibility.Baseline NONE = new Plausibility.Baseline(-1, 0, Instant.EPOCH);
    private final RejectedSampler sampler;
    /** Quarantined readings staff accepted, queued for the writer and not written yet. */
    private final java.util.Set<Object> accepting = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final Duration QUARANTINE_SWEEP = Duration.ofSeconds(2);
    static final Duration REJECTED_PURGE = Duration.ofHours(1);
    /** A ping that tells a database that is down from a write that failed for its data. */
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(3);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ingest-timer"));

    private volatile boolean running;
    private MongoClient mongo;
    private MongoDatabase db;
    private volatile Instant databaseDownSince;
    private MeterRegistry registry;
    private Timer batchWrites;
    private DistributionSummary batchSizes;
    private CommandTracker commands;
    private volatile Duration commandAckTimeout = CommandTracker.DEFAULT_ACK_TIMEOUT;
    static final Duration COMMAND_SWEEP = Duration.ofSeconds(2);
    /** The session of live readings, statuses and acknowledgements. */
    private MqttSubscriber live;
    /** The session of {@code +/backlog}; null when the settings give it no identity (then {@link #live} takes it too). */
    private MqttSubscriber backlog;
    private Thread writer;
    /** Day and meter writes held while the writer is busy ({@link DeferredRollups}). Writer thread only (and start). */
    private DeferredRollups rollups;
    /** The fleet change feed: which meter documents this instance wrote (read by the portal's fleet index). */
    private FleetChangeLog changes;
    /** Whether the batch being written may leave its day and meter writes to {@link #rollups}. Writer thread only. */
    private boolean deferRollups;
    /** The alarms of what is received ({@link AlarmRaiser}). Writer thread only (and start). */
    private AlarmRaiser alarms;

    /**
     * One received message with what is to be written for it; or, with {@code accepted} set, a quarantined
     * reading staff accepted (no message: {@code publish} is null).
     */
    private record Item(MqttSubscriber.Inbound publish, Reading reading, StatusMessage status, Document rejected, Ack ack, Object accepted) {
        Item(MqttSubscriber.Inbound publish, Reading reading, StatusMessage status, Document rejected) {
            this(publish, reading, status, rejected, null, null);
        }

        void acknowledge() {
            if (publish != null) {
                publish.acknowledge().run();
            }
        }

        String topic() {
            return publish != null ? publish.topic() : "";
        }

        byte[] payload() {
            return publish != null ? publish.payload() : new byte[0];
        }
    }

    private record Ack(String meterId, CommandAck ack) {}

    public IngestService(IngestSettings settings) {
        this.settings = settings;
        this.topics = new Topics(settings.ims().topicPrefix());
        this.calendar = new UsageCalendar(settings.ims().timeZone());
        IngestLimits limits = settings.limits();
        this.plausibility = new Plausibility(limits);
        this.baselines = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Plausibility.Baseline> eldest) {
                return size() > limits.maxTrackedMeters();
            }
        };
        this.sampler = new RejectedSampler(limits.rejectedPerSourcePerMinute(), limits.rejectedPerMinute(), clock);
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
        alarms = new AlarmRaiser(db, clock, settings.limits().maxTrackedMeters());
        changes = new FleetChangeLog(db, settings.clientId(), clock);
        rollups = new DeferredRollups(db, calendar, settings.clientId(), settings.limits().rollupDelay(), clock).afterMeters(alarms::onReadings)
                .changesTo(changes);
        return CompletableFuture.runAsync(this::prepareDatabase)
                .thenCompose(v -> connect(endpoint))
                .thenRun(() -> {
                    running = true;
                    writer = new Thread(this::writeLoop, "ingest-writer");
                    writer.start();
                    timer.scheduleWithFixedDelay(this::heartbeat, 0, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(commands::sweep, COMMAND_SWEEP.toMillis(), COMMAND_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(new Summary(), SUMMARY.toMillis(), SUMMARY.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(this::sweepAccepted, QUARANTINE_SWEEP.toMillis(), QUARANTINE_SWEEP.toMillis(),
                            TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(this::purgeRejected, 0, REJECTED_PURGE.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(changes::purge, 0, FleetFeed.SLOT.toMillis() * 12, TimeUnit.MILLISECONDS);
                    LOG.info("Ingest {} started: {} -> {}/{}", settings.clientId(), endpoint.url(),
                            dev.ims.model.config.ImsSettings.hideCredentials(uri), settings.ims().mongoDatabase());
                });
    }

    private void prepareDatabase() {
        Flux.concat(
                        db.getCollection(REJECTED).createIndex(Indexes.descending(RECEIVED_AT)),
                        db.getCollection(REJECTED).createIndex(Indexes.ascending(METER_ID, RECEIVED_AT)),
                        db.getCollection(DAILY).createIndex(Indexes.ascending(METER_ID, DAY)),
                        db.getCollection(COMMANDS).createIndex(Indexes.ascending(STATE, REQUESTED_AT)),
                        db.getCollection(COMMANDS).createIndex(Indexes.ascending(METER_ID, REQUESTED_AT)),
                        // The staff's listings of past alarms (newest cleared first, by meter); open alarms are read by _id.
                        db.getCollection(ALARM_HISTORY).createIndex(Indexes.descending(ALARM_CLEARED + "." + AT)),
                        db.getCollection(ALARM_HISTORY).createIndex(Indexes.ascending(METER_ID, ALARM_RAISED_AT)))
                .then()
                .block(DB_TIMEOUT);
        new LayoutMigration(db, calendar, LayoutMigration.DEFAULT_BATCH).run();
        // Before any message is taken: the usage of readings a killed run acknowledged and had not rolled up yet.
        rollups.recover();
        rejectedTtl();
        Document previous = Mono.from(db.getCollection(SERVICES).find(Filters.eq(ID, settings.clientId())).first()).block(DB_TIMEOUT);
        if (previous != null) {
            counters.received.set(number(previous, "received"));
            counters.stored.set(number(previous, "stored"));
            counters.duplicates.set(number(previous, "duplicates"));
            counters.rejected.set(number(previous, "rejected"));
        }
    }

    /**
     * Opens the live session and, with a backlog identity, the backlog session; completes when both are subscribed.
     * Without one the live session takes {@code +/backlog} too (one in-flight window: a backlog delays live readings),
     * said once at start.
     */
    private CompletableFuture<Void> connect(MqttEndpoint endpoint) {
        List<String> liveFilters = new ArrayList<>(List.of(filter(TopicKind.READING)));
        Credential backlogCredential = settings.backlogCredential();
        if (backlogCredential == null) {
            liveFilters.add(filter(TopicKind.BACKLOG));
            LOG.warn("Ingest {} has no backlog identity ({}): backlog readings share the live readings' in-flight window and can "
                    + "delay them", settings.clientId(), IngestSettings.backlogIdentity(settings.clientId()));
        }
        // Not shared: retained status messages are never sent to shared subscriptions.
        liveFilters.add(topics.allOf(TopicKind.STATUS));
        liveFilters.add(topics.allOf(TopicKind.COMMAND_ACK));
        // Without a backlog identity the backlog filter is optional: a broker configured before the backlog topic existed
        // refuses it, and the ingest must still start (such a broker's meters are refused backlog too and use reading).
        live = new MqttSubscriber(settings.ims(), endpoint, ServiceCredentials.require(settings.ims(), settings.clientId()),
                settings.receiveMaximum(), liveFilters, backlogCredential == null ? java.util.Set.of(filter(TopicKind.BACKLOG))
                        : java.util.Set.of(), in -> onMessage(in, liveQueue));
        if (backlogCredential != null) {
            backlog = new MqttSubscriber(settings.ims(), endpoint, backlogCredential, settings.receiveMaximum(),
                    List.of(filter(TopicKind.BACKLOG)), in -> onMessage(in, backlogQueue));
        }
        return live.connect().thenCompose(v -> backlog == null ? CompletableFuture.<Void>completedFuture(null) : backlog.connect())
                // A start that failed leaves no session reconnecting behind it (off the client's thread: close() waits).
                .whenCompleteAsync((v, e) -> {
                    if (e != null) {
                        if (backlog != null) {
                            backlog.close();
                        }
                        live.close();
                    }
                });
    }

    /** The subscription to every meter's {@code kind} topic: through the ingest group's shared subscription unless alone. */
    private String filter(TopicKind kind) {
        return settings.sharedSubscription() ? topics.shared(settings.ims().ingestGroup(), kind) : topics.allOf(kind);
    }

    /**
     * On the MQTT client's thread: decode only, then hand over to the writer through {@code queue}, the session's own
     * (each session's messages are acknowledged in the order they came).
     */
    private void onMessage(MqttSubscriber.Inbound publish, BlockingQueue<Item> queue) {
        try {
            decode(publish, queue);
        } finally {
            arrived.release();
        }
    }

    private void decode(MqttSubscriber.Inbound publish, BlockingQueue<Item> queue) {
        String topic = publish.topic();
        byte[] payload = publish.payload();
        Instant now = clock.instant();
        Optional<TopicAddress> address = topics.parse(topic);
        // Readings and whatever is rejected count as received, once: received = stored + duplicates + rejected.
        // Valid status messages and command acknowledgements are not readings and are not counted.
        TopicKind kind = address.map(TopicAddress::kind).orElse(null);
        boolean reading = kind == TopicKind.READING || kind == TopicKind.BACKLOG;
        if (reading) {
            counters.received.incrementAndGet();
        }
        try {
            if (reading) {
                queue.add(new Item(publish, codec.decode(address.get().meterId(), payload), null, null));
            } else if (kind == TopicKind.STATUS) {
                StatusMessage status = StatusMessage.decode(address.get().meterId(), payload);
                wireLimits.checkTimestamp("ts", status.ts(), now);
                if (status.source() != null) {
                    wireLimits.checkTimestamp("source.at", status.source().at(), now);
                    if (status.source().lastData() != null) {
                        wireLimits.checkTimestamp("source.lastData", status.source().lastData(), now);
                    }
                }
                queue.add(new Item(publish, null, status, null));
            } else if (kind == TopicKind.COMMAND_ACK) {
                CommandAck ack = CommandAck.decode(payload);
                wireLimits.checkTimestamp("ts", ack.ts(), now);
                queue.add(new Item(publish, null, null, null, new Ack(address.get().meterId(), ack), null));
            } else {
                throw new InvalidPayloadException(RejectReason.INVALID_TOPIC, "not a reading, backlog, status or acknowledgement topic: "
                        + topic);
            }
        } catch (InvalidPayloadException e) {
            if (!reading) {
                counters.received.incrementAndGet(); // rejected, so counted, exactly once
            }
            queue.add(new Item(publish, null, null, Documents.rejected(topic, address.map(TopicAddress::meterId).orElse(null),
                    payload, e.reason(), e.getMessage(), now)));
        } catch (RuntimeException e) {
            // A decoder bug must not cost the message or the client's thread: quarantined like a failed write.
            if (!reading) {
                counters.received.incrementAndGet();
            }
            queue.add(new Item(publish, null, null, Documents.rejected(topic, address.map(TopicAddress::meterId).orElse(null),
                    payload, RejectReason.PROCESSING_FAILED, DatabaseErrors.describe(e), now)));
        }
    }

    /**
     * The writer thread: one batch at a time, live items first. A batch is what waits in one queue (up to the batch
     * size; with {@link IngestSettings#maxBatchDelay()} it waits that long for more), so a live item waits at most for
     * the backlog batch being written. Runs until stopped and both queues are empty.
     */
    private void writeLoop() {
        List<Item> batch = new ArrayList<>(settings.batchSize());
        while (running || !liveQueue.isEmpty() || !backlogQueue.isEmpty()) {
            try {
                BlockingQueue<Item> from = !liveQueue.isEmpty() ? liveQueue : backlogQueue;
                Item first = from.poll();
                if (first == null) {
                    if (!rollups.isEmpty()) {
                        flushRollups(); // idle: nothing is gained by waiting
                        continue;
                    }
                    adoptOrphanedJournal();
                    // A permit per arrival; one left over from an item already taken only costs a loop.
                    arrived.tryAcquire(200, TimeUnit.MILLISECONDS);
                    continue;
                }
                batch.add(first);
                from.drainTo(batch, settings.batchSize() - batch.size());
                long deadline = System.nanoTime() + settings.maxBatchDelay().toNanos();
                while (batch.size() < settings.batchSize() && deadline - System.nanoTime() > 0) {
                    Item next = from.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    from.drainTo(batch, settings.batchSize() - batch.size());
                }
                long started = System.nanoTime();
                // Busy when more waits: then this batch's days and meters may wait for the next flush.
                deferRollups = rollups.mayDefer(!liveQueue.isEmpty() || !backlogQueue.isEmpty());
                writeWithRetry(batch);
                if (batchWrites != null) {
                    batchWrites.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
                    batchSizes.record(batch.size());
                }
                batch.clear();
                if (rollups.due()) {
                    flushRollups();
                }
                adoptOrphanedJournal();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            flushRollups();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Once a minute, on this thread (the alarm listener is not thread-safe): the usage of journal entries no instance
     * will flush ({@link DeferredRollups#adoptOrphans()}). A failure is logged and left for the next minute.
     */
    private void adoptOrphanedJournal() {
        if (!rollups.adoptDue()) {
            return;
        }
        try {
            rollups.adoptOrphans();
        } catch (RuntimeException e) {
            LOG.debug("Orphaned journal entries not adopted this time: {}", e.toString());
        }
    }

    /**
     * Writes the held day and meter documents ({@link DeferredRollups#flush()}), retried with capped backoff while the
     * database is down. A failure for their data (never seen: the same writes as the batches') is retried
     * {@link IngestLimits#maxAttempts()} times, then left to the journal: the next start re-rolls them. Stopping, it gives
     * up once the backoff reaches its cap, the journal keeping what was not written.
     */
    private void flushRollups() throws InterruptedException {
        long backoff = 100;
        int failures = 0;
        while (true) {
            try {
                rollups.flush();
                markDatabaseUp();
                return;
            } catch (RuntimeException e) {
                if (!DatabaseErrors.unavailable(e) && pingable()) {
                    if (++failures >= settings.limits().maxAttempts()) {
                        LOG.warn("Usage and meter documents of {} readings not written after {} attempts; the next start re-rolls "
                                + "them from the journal: {}", rollups.size(), failures, LogSafe.of(DatabaseErrors.describe(e)));
                        rollups.drop();
                        return;
                    }
                } else {
                    markDatabaseDown(e);
                }
                if (!running && backoff >= 10_000) {
                    LOG.error("Stopping with the usage of {} stored readings not rolled up; the next start re-rolls it from the journal",
                            rollups.size());
                    rollups.drop();
                    return;
                }
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
    }

    /**
     * Writes a batch and acknowledges its messages. While the database is down the batch is retried with
     * capped backoff and stays unacknowledged (the broker keeps it). A failure for any other reason (what
     * was written, not the database) is narrowed down: each message is written alone, up to
     * {@link IngestLimits#maxAttempts()} times, and one that still fails is stored in {@code rejected} as
     * {@code PROCESSING_FAILED} and acknowledged, so no message can hold the in-flight window.
     */
    private void writeWithRetry(List<Item> batch) throws InterruptedException {
        long backoff = 100;
        List<Item> left = new ArrayList<>(batch);
        while (true) {
            try {
                write(left);
                left.forEach(Item::acknowledge);
                markDatabaseUp();
                return;
            } catch (RuntimeException e) {
                if (!DatabaseErrors.unavailable(e) && pingable()) {
                    if (writeEachAlone(left)) {
                        markDatabaseUp();
                        return;
                    }
                } else {
                    markDatabaseDown(e);
                }
                LOG.debug("Database write failed, retrying in {} ms: {}", backoff, e.toString());
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
                if (!running && backoff >= 10_000) {
                    LOG.error("Stopping with {} unwritten messages; the broker will redeliver them", left.size());
                    throw new InterruptedException("stopping");
                }
            }
        }
    }

    /**
     * Writes each item of {@code left} on its own, removing it once written and acknowledged, or once
     * quarantined. False when the database went down meanwhile: what is left stays for the caller's retry.
     */
    private boolean writeEachAlone(List<Item> left) throws InterruptedException {
        while (!left.isEmpty()) {
            Item item = left.get(0);
            RuntimeException last = null;
            for (int attempt = 1; attempt <= settings.limits().maxAttempts(); attempt++) {
                try {
                    write(List.of(item));
                    last = null;
                    break;
                } catch (RuntimeException e) {
                    if (DatabaseErrors.unavailable(e) && !pingable()) {
                        markDatabaseDown(e);
                        return false;
                    }
                    last = e;
                    Thread.sleep(50L * attempt);
                }
            }
            if (last != null) {
                quarantine(item, last);
            }
            item.acknowledge();
            left.remove(0);
        }
        return true;
    }

    /** Stores a message that could not be written as {@code PROCESSING_FAILED}; never throws for its data. */
    private void quarantine(Item item, RuntimeException cause) {
        String detail = "failed " + settings.limits().maxAttempts() + " times: " + DatabaseErrors.describe(cause);
        Instant now = clock.instant();
        Document doc;
        if (item.accepted() != null) {
            LOG.warn("Accepted reading {} could not be stored: {}", item.accepted(), LogSafe.of(detail));
            try {
                finishAccept(item.accepted(), QUARANTINE_OPEN, "not stored: " + detail, now);
            } catch (RuntimeException e) {
                accepting.remove(item.accepted()); // tried again at the next sweep
            }
            return;
        }
        if (item.reading() != null) {
            doc = Documents.quarantined(item.topic(), item.payload(), item.reading(), RejectReason.PROCESSING_FAILED, detail, now);
        } else {
            String meterId = item.status() != null ? item.status().meterId() : item.ack() != null ? item.ack().meterId() : null;
            doc = Documents.rejected(item.topic(), meterId, item.payload(), RejectReason.PROCESSING_FAILED, detail, now);
        }
        if (item.reading() == null && item.rejected() == null) {
            counters.received.incrementAndGet(); // a status or acknowledgement: not counted until it is rejected
        }
        counters.rejected.incrementAndGet();
        countRejection(RejectReason.PROCESSING_FAILED.name());
        LOG.warn("Quarantined a message on {} after {} failed writes: {}", LogSafe.of(item.topic()), settings.limits().maxAttempts(),
                LogSafe.of(DatabaseErrors.describe(cause)));
        try {
            Mono.from(db.getCollection(REJECTED).insertOne(doc)).block(DB_TIMEOUT);
        } catch (RuntimeException e) {
            // The decoded reading may be what the store refuses: keep the raw payload (as text) without it.
            doc.remove(READING);
            doc.remove(QUARANTINE);
            try {
                Mono.from(db.getCollection(REJECTED).insertOne(doc)).block(DB_TIMEOUT);
            } catch (RuntimeException again) {
                // Not even that: counted and logged only, never retried.
                LOG.warn("Quarantined message on {} not stored either: {}", LogSafe.of(item.topic()), LogSafe.of(again.toString()));
            }
        }
    }

    /** Whether the database answers a ping within {@link #PING_TIMEOUT}: the ingest's own view of it. */
    private boolean pingable() {
        try {
            Mono.from(db.runCommand(new Document("ping", 1))).block(PING_TIMEOUT);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void markDatabaseDown(RuntimeException e) {
        if (databaseDownSince == null) {
            databaseDownSince = clock.instant();
            LOG.warn("Database down; received messages stay unacknowledged (the broker keeps them), retrying with backoff up to 10 s: {}",
                    LogSafe.of(e.toString()));
        }
    }

    private void markDatabaseUp() {
        Instant downSince = databaseDownSince;
        if (downSince != null) {
            databaseDownSince = null;
            LOG.info("Database back after {} s; writing again", Duration.between(downSince, clock.instant()).toSeconds());
        }
    }

    /**
     * Writes one batch; idempotent, so a retry after a partial failure is safe. Readings are checked
     * against their meter's last stored one first ({@link Plausibility}); those that fail are quarantined.
     * A reading whose {@code seq} is stored already ({@link #storedCopies}) is a duplicate when it is the same
     * reading (it then re-applies its writes, which leave everything unchanged unless a crash came between
     * its bucket and its day) and a {@code CONFLICTING_DUPLICATE} otherwise, which touches nothing. The
     * buckets are written before the days and meters: a reading in its bucket is a duplicate when redelivered,
     * whose writes then complete the rest.
     */
    private void write(List<Item> batch) {
        Instant now = clock.instant();
        List<Item> candidates = new ArrayList<>();
        List<Document> rejected = new ArrayList<>();
        List<StatusMessage> statuses = new ArrayList<>();
        List<Ack> acks = new ArrayList<>();
        Map<String, Plausibility.Baseline> known = baselinesOf(batch);
        Map<String, Long> lastSeqs = new HashMap<>();
        known.forEach((meter, b) -> lastSeqs.put(meter, b.seq()));
        for (Item i : batch) {
            if (i.rejected() != null) {
                rejected.add(i.rejected());
            } else if (i.status() != null) {
                statuses.add(i.status());
            } else if (i.ack() != null) {
                acks.add(i.ack());
            } else {
                Reading r = i.reading();
                Plausibility.Baseline last = known.get(r.meterId());
                Plausibility.Verdict verdict = i.accepted() != null ? null : plausibility.check(r, last == NONE ? null : last);
                if (verdict != null) {
                    rejected.add(Documents.quarantined(i.topic(), i.payload(), r, verdict.reason(), verdict.detail(), now));
                } else {
                    Plausibility.Baseline newest = Plausibility.Baseline.after(last == NONE ? null : last, r);
                    if (newest != last) {
                        known.put(r.meterId(), newest);
                        baselines.put(r.meterId(), newest);
                    }
                    candidates.add(i);
                }
            }
        }
        List<Reading> valid = new ArrayList<>();
        long inserted = 0;
        long duplicates = 0;
        List<Object[]> settledAccepts = new ArrayList<>();
        long acceptedStored = 0;
        long acceptedDuplicates = 0;
        if (!candidates.isEmpty()) {
            // Per (meter, seq): the reading stored or taken in this batch; a copy of it that differs is a conflict.
            Map<ReadingKey, Document> held = storedCopies(candidates, lastSeqs);
            for (Item i : candidates) {
                Reading r = i.reading();
                ReadingKey key = new ReadingKey(r.meterId(), r.seq());
                Document stored = held.get(key);
                boolean duplicate = stored != null;
                if (duplicate && !ReadingDocs.sameReading(stored, r)) {
                    String detail = "seq " + r.seq() + " is stored already with other values (energyKwh " + stored.get(ENERGY_KWH)
                            + (stored.get(EXPORT_KWH) != null || r.exportKwh() != null ? ", exportKwh " + stored.get(EXPORT_KWH) : "")
                            + (stored.get(CIRCUITS) != null || !r.circuits().isEmpty() ? ", circuits " + ReadingDocs.circuitsFrom(stored).size() : "")
                            + ", ts " + (stored.getDate(TS) == null ? null : stored.getDate(TS).toInstant()) + ")";
                    if (i.accepted() != null) {
                        settledAccepts.add(new Object[] {i.accepted(), QUARANTINE_DISCARDED, "not stored: " + detail});
                    } else {
                        rejected.add(Documents.quarantined(i.topic(), i.payload(), r, RejectReason.CONFLICTING_DUPLICATE, detail, now));
                    }
                    continue;
                }
                if (!duplicate) {
                    held.put(key, ReadingDocs.inBucket(r, now));
                }
                valid.add(r);
                if (i.accepted() != null) {
                    settledAccepts.add(new Object[] {i.accepted(), QUARANTINE_ACCEPTED, null});
                    if (duplicate) {
                        acceptedDuplicates++;
                    } else {
                        acceptedStored++;
                    }
                } else if (duplicate) {
                    duplicates++;
                } else {
                    inserted++;
                }
            }
        }
        if (!valid.isEmpty()) {
            // Duplicates included: their writes change nothing ($min/$max/$set), unless a crash came between a reading's
            // bucket and its day and meter, which the redelivery then completes.
            // Busy: the journal lists the batch's buckets before they are written and acknowledged, and the days and meters
            // wait for the flush. Idle: they are written now, with whatever was held, before the acknowledgement.
            BatchWrites writes = BatchWrites.bucketsOf(valid, calendar, now);
            BulkWriteOptions unordered = new BulkWriteOptions().ordered(false);
            if (deferRollups) {
                rollups.journal(valid);
            }
            Mono.from(db.getCollection(StoreLayout.READINGS).bulkWrite(writes.buckets(), unordered)).block(DB_TIMEOUT);
            rollups.add(valid, now);
            if (!deferRollups) {
                rollups.flush();
            }
        }
        for (StatusMessage s : statuses) {
            // Filtered by _id alone (any store uses its primary index); the newest status wins through $max.
            // Only the connection state is taken from a status: a claim verifier it may carry is ignored, the
            // portal registers it at enrolment (a meter's own message must not key or re-key its claim).
            // A bridge's source report is ordered by its own time (its status keeps the connection's birth date): $max on a
            // document whose first field is that time keeps the newest.
            List<org.bson.conversions.Bson> update = new ArrayList<>(List.of(Updates.min(FIRST_SEEN, Date.from(now)),
                    Updates.max(CONNECTION_LAST, new Document(TS, Date.from(s.ts())).append(STATE, s.state().name()))));
            if (s.source() != null) {
                update.add(Updates.max(SOURCE, Documents.source(s.source())));
            }
            // Circuit descriptions come with the birth (ONLINE); a newer birth's (even an empty list) replace them, an
            // older one delivered late does not ($max on a document whose first field is the status ts), and an OFFLINE
            // will, which carries none, leaves them.
            if (s.state() == dev.ims.model.status.ConnectionState.ONLINE) {
                update.add(Updates.max(CIRCUITS, Documents.circuitInfos(s.ts(), s.circuits())));
            }
            Mono.from(db.getCollection(METERS).updateOne(Filters.eq(ID, s.meterId()), Updates.combine(update),
                    new UpdateOptions().upsert(true))).block(DB_TIMEOUT);
        }
        alarms.onStatuses(statuses);
        changes.record(statuses.stream().map(StatusMessage::meterId).toList());
        if (!rejected.isEmpty()) {
            List<Document> sampled = new ArrayList<>(rejected.size());
            for (Document r : rejected) {
                String source = r.getString(METER_ID) != null ? r.getString(METER_ID) : r.getString(TOPIC);
                if (sampler.store(source)) {
                    sampled.add(r);
                }
            }
            if (!sampled.isEmpty()) {
                Mono.from(db.getCollection(REJECTED).insertMany(sampled)).block(DB_TIMEOUT);
                alarms.onQuarantined(sampled);
            }
            if (sampled.size() < rejected.size() && registry != null) {
                registry.counter("ims.ingest.rejected.unstored", "instance", settings.clientId()).increment(rejected.size() - sampled.size());
            }
        }
        for (Ack a : acks) {
            commands.onAck(a.meterId(), a.ack());
        }
        commands.onReadings(valid);
        for (Object[] a : settledAccepts) {
            finishAccept(a[0], (String) a[1], (String) a[2], now);
        }
        // Counted once the whole batch is written: a retried batch is counted by its successful attempt.
        for (Document r : rejected) {
            countRejection(r.getString(REASON));
        }
        counters.stored.addAndGet(inserted + acceptedStored);
        counters.duplicates.addAndGet(duplicates + acceptedDuplicates);
        counters.rejected.addAndGet(rejected.size() - acceptedStored - acceptedDuplicates);
        Consumer<List<Reading>> listener = storedListener;
        if (listener != null && !valid.isEmpty()) {
            listener.accept(valid);
        }
    }

    /** A reading's identity: its meter's ID and its seq. */
    private record ReadingKey(String meterId, long seq) {}

    /**
     * The stored readings the batch's candidates may repeat. A candidate above its meter's {@code lastSeq} as known at
     * the batch's start, and alone in the batch with its seq, is new without asking the store (the common case: no
     * read). The others (at or below {@code lastSeq}: a redelivery, or a late reading; or a seq twice in the batch)
     * are looked up with one {@code find}: their hour buckets by {@code _id}, projected to just their {@code r.<seq>}.
     * A stored reading of the same seq in another hour (the same seq with another {@code ts}) is not found: the
     * plausibility checks refuse most such readings before (a register against its seq order).
     */
    private Map<ReadingKey, Document> storedCopies(List<Item> candidates, Map<String, Long> lastSeqs) {
        Map<ReadingKey, Integer> copies = new HashMap<>();
        for (Item i : candidates) {
            copies.merge(new ReadingKey(i.reading().meterId(), i.reading().seq()), 1, Integer::sum);
        }
        java.util.Set<String> buckets = new java.util.LinkedHashSet<>();
        java.util.Set<String> fields = new java.util.LinkedHashSet<>();
        for (Item i : candidates) {
            Reading r = i.reading();
            if (r.seq() <= lastSeqs.getOrDefault(r.meterId(), -1L) || copies.get(new ReadingKey(r.meterId(), r.seq())) > 1) {
                buckets.add(StoreLayout.hourBucketId(r.meterId(), calendar.hourStart(r.ts())));
                fields.add(StoreLayout.READINGS_BY_SEQ + "." + r.seq());
            }
        }
        Map<ReadingKey, Document> stored = new HashMap<>();
        if (buckets.isEmpty()) {
            return stored;
        }
        List<String> projected = new ArrayList<>(fields);
        projected.add(METER_ID);
        for (Document bucket : Flux.from(db.getCollection(StoreLayout.READINGS).find(Filters.in(ID, buckets))
                .projection(Projections.include(projected))).collectList().block(DB_TIMEOUT)) {
            String meterId = bucket.getString(METER_ID);
            if (bucket.get(StoreLayout.READINGS_BY_SEQ) instanceof Document bySeq) {
                bySeq.forEach((seq, reading) -> stored.put(new ReadingKey(meterId, Long.parseLong(seq)), (Document) reading));
            }
        }
        return stored;
    }

    private void countRejection(String reason) {
        if (registry != null) {
            registry.counter("ims.ingest.rejected", "reason", String.valueOf(reason), "instance", settings.clientId()).increment();
        }
    }

    /**
     * The last stored reading of every meter in the batch ({@link #NONE} when it has none): from the cache,
     * the others with one query. A map of its own, so the cache evicting meters while a batch of more
     * meters than it holds is checked cannot leave a reading unchecked.
     */
    private Map<String, Plausibility.Baseline> baselinesOf(List<Item> batch) {
        Map<String, Plausibility.Baseline> known = new HashMap<>();
        java.util.Set<String> unknown = new java.util.HashSet<>();
        for (Item i : batch) {
            if (i.reading() != null && !known.containsKey(i.reading().meterId())) {
                Plausibility.Baseline b = baselines.get(i.reading().meterId());
                if (b != null) {
                    known.put(i.reading().meterId(), b);
                } else {
                    unknown.add(i.reading().meterId());
                }
            }
        }
        if (!unknown.isEmpty()) {
            for (Document m : Flux.from(db.getCollection(METERS).find(Filters.in(ID, unknown))).collectList().block(DB_TIMEOUT)) {
                Document latestDoc = m.get(LATEST, Document.class);
                if (latestDoc != null && m.get(LAST_SEQ) != null && latestDoc.getDate(TS) != null) {
                    // The export register only as far as the latest reading carries it (a meter that stopped
                    // reporting it for a moment is checked again from its next stored value on).
                    Plausibility.Register export = latestDoc.get(EXPORT_KWH) instanceof Number e && latestDoc.get(SEQ) instanceof Number s
                            ? new Plausibility.Register(s.longValue(), e.doubleValue(), latestDoc.getDate(TS).toInstant()) : null;
                    Map<String, Plausibility.Register> circuits = new HashMap<>();
                    if (latestDoc.get(SEQ) instanceof Number s) {
                        for (dev.ims.model.circuit.CircuitReading c : ReadingDocs.circuitsFrom(latestDoc)) {
                            circuits.put(c.id(), new Plausibility.Register(s.longValue(), c.energyKwh(), latestDoc.getDate(TS).toInstant()));
                        }
                    }
                    known.put(m.getString(ID), new Plausibility.Baseline(((Number) m.get(LAST_SEQ)).longValue(),
                            ((Number) latestDoc.get(ENERGY_KWH)).doubleValue(), latestDoc.getDate(TS).toInstant(), export, circuits));
                }
            }
            for (String id : unknown) {
                Plausibility.Baseline b = known.computeIfAbsent(id, k -> NONE);
                baselines.put(id, b);
            }
        }
        return known;
    }

    // ---- staff decisions on quarantined readings, and the rejected collection's retention

    /**
     * Queues the readings staff accepted (the portal's {@code quarantine_actions}) for the writer, which
     * stores each as if just received (without the plausibility checks staff overrode) and settles it.
     */
    private void sweepAccepted() {
        try {
            List<Document> actions = Flux.from(db.getCollection(QUARANTINE_ACTIONS).find().limit(500)).collectList().block(DB_TIMEOUT);
            for (Document action : actions) {
                Object id = action.get(ID);
                if (accepting.contains(id)) {
                    continue;
                }
                Document doc = Mono.from(db.getCollection(REJECTED).find(Filters.eq(ID, id)).first()).block(DB_TIMEOUT);
                if (doc == null || !QUARANTINE_ACCEPTING.equals(doc.getString(QUARANTINE)) || doc.get(READING, Document.class) == null) {
                    Mono.from(db.getCollection(QUARANTINE_ACTIONS).deleteOne(Filters.eq(ID, id))).block(DB_TIMEOUT);
                    continue;
                }
                Reading r;
                try {
                    r = ReadingDocs.readingFrom(doc.get(READING, Document.class), doc.getString(METER_ID));
                } catch (RuntimeException e) {
                    finishAccept(id, QUARANTINE_DISCARDED, "not stored: the quarantined reading cannot be read: " + e, clock.instant());
                    continue;
                }
                accepting.add(id);
                backlogQueue.add(new Item(null, r, null, null, null, id));
                arrived.release();
            }
        } catch (RuntimeException e) {
            LOG.debug("Accepted readings not swept: {}", e.toString());
        }
    }

    /** Settles an accepted quarantined reading: its new state, why when not stored, and the action removed. */
    private void finishAccept(Object id, String state, String error, Instant now) {
        List<org.bson.conversions.Bson> set = new ArrayList<>(List.of(Updates.set(QUARANTINE, state),
                Updates.set(DECISION + ".settledAt", Date.from(now))));
        if (error != null) {
            set.add(Updates.set(DECISION + ".error", error.length() > 500 ? error.substring(0, 500) : error));
        }
        Mono.from(db.getCollection(REJECTED).updateOne(Filters.eq(ID, id), Updates.combine(set))).block(DB_TIMEOUT);
        Mono.from(db.getCollection(QUARANTINE_ACTIONS).deleteOne(Filters.eq(ID, id))).block(DB_TIMEOUT);
        accepting.remove(id);
        LOG.info("Quarantined reading {} accepted by staff: {}", id, error == null ? "stored" : LogSafe.of(error));
    }

    /**
     * Rejected payloads older than {@link IngestLimits#rejectedRetention()} expire through a TTL index on
     * MongoDB; changing the retention changes the index. Stores without TTL indexes (the embedded one) are
     * purged by {@link #purgeRejected()} as well.
     */
    private void rejectedTtl() {
        long seconds = settings.limits().rejectedRetention().toSeconds();
        try {
            Mono.from(db.getCollection(REJECTED).createIndex(Indexes.ascending(RECEIVED_AT),
                    new IndexOptions().name("rejected_ttl").expireAfter(seconds, TimeUnit.SECONDS))).block(DB_TIMEOUT);
        } catch (com.mongodb.MongoCommandException e) {
            // IndexOptionsConflict: the retention changed since the index was made.
            Mono.from(db.runCommand(new Document("collMod", REJECTED).append("index",
                    new Document("name", "rejected_ttl").append("expireAfterSeconds", seconds)))).block(DB_TIMEOUT);
        }
    }

    private void purgeRejected() {
        try {
            Instant cutoff = clock.instant().minus(settings.limits().rejectedRetention());
            Mono.from(db.getCollection(REJECTED).deleteMany(Filters.lt(RECEIVED_AT, Date.from(cutoff)))).block(DB_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("Rejected payloads not purged: {}", e.toString());
        }
    }

    private void heartbeat() {
        try {
            Mono.from(db.getCollection(SERVICES).updateOne(Filters.eq(ID, settings.clientId()), Updates.combine(
                    Updates.set("kind", "ingest"),
                    Updates.set("broker", brokerUp() ? "UP" : "DOWN"),
                    Updates.set("database", databaseUp() ? "UP" : "DOWN"),
                    Updates.set("received", counters.received()),
                    Updates.set("stored", counters.stored()),
                    Updates.set("duplicates", counters.duplicates()),
                    Updates.set("rejected", counters.rejected()),
                    Updates.set(PipelineFigures.FIELD, pipeline.sample(System.nanoTime(), counters, batchWrites, batchSizes)),
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

    /** A reading as a document ({@link ReadingDocs#reading}); where it is stored: {@link BatchWrites}. */
    public static Document readingDocument(Reading r, Instant receivedAt) {
        return ReadingDocs.reading(r, receivedAt);
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
        Gauge.builder("ims.ingest.queue", this, s -> s.liveQueue.size() + s.backlogQueue.size()).tag("instance", id)
                .description("messages received and not yet written (bounded by the broker's in-flight windows)").register(registry);
        Gauge.builder("ims.ingest.queue.backlog", backlogQueue, BlockingQueue::size).tag("instance", id)
                .description("of those, backlog readings (the backlog session's)").register(registry);
        Gauge.builder("ims.ingest.database.up", this, s -> s.databaseUp() ? 1 : 0).tag("instance", id).register(registry);
        Gauge.builder("ims.ingest.broker.up", this, s -> s.brokerUp() ? 1 : 0).tag("instance", id).register(registry);
        batchWrites = Timer.builder("ims.ingest.batch.write").tag("instance", id).description("time to write one batch, retries included")
                .publishPercentileHistogram().register(registry);
        batchSizes = DistributionSummary.builder("ims.ingest.batch.size").tag("instance", id).register(registry);
        return this;
    }

    public IngestService commandAckTimeout(Duration timeout) {
        this.commandAckTimeout = timeout;
        return this;
    }

    /** Whether the ingest is connected to the broker: its live session and, when it has one, its backlog session. */
    public boolean brokerUp() {
        MqttSubscriber l = live;
        MqttSubscriber b = backlog;
        return l != null && l.up() && (b == null || b.up());
    }

    /** False from a failed write until a write succeeds again: the database is down or refusing writes. */
    public boolean databaseUp() {
        return databaseDownSince == null;
    }

    /** Stops taking messages, writes what was received, disconnects; unacknowledged messages stay with the broker. */
    public CompletionStage<Void> stop() {
        return CompletableFuture.runAsync(() -> {
            // The backlog first: its messages are the ones that can wait.
            if (backlog != null) {
                backlog.close();
            }
            if (live != null) {
                live.close();
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
