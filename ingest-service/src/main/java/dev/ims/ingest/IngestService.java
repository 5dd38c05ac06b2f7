package dev.ims.ingest;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoDatabase;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.reading.Reading;
import dev.ims.model.security.Credential;
import dev.ims.model.security.ServiceCredentials;
import dev.ims.model.topic.TopicKind;
import dev.ims.model.topic.Topics;
import dev.ims.model.usage.UsageCalendar;
import dev.ims.store.BatchWrites;
import dev.ims.store.FleetFeed;
import dev.ims.store.ReadingDocs;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 *
 * <p>This class wires the parts, each testable alone: the sessions ({@link MqttSubscriber}) hand each message to the
 * pure {@link InboundDecoder} and queue it; the writer thread ({@link BatchWriter}, with its retry policy) writes the
 * batches through the {@link StoreWriter}; {@link StoreSetup} makes the indexes and keeps the rejected payloads'
 * retention; {@link Heartbeat} writes the instance's document; {@link IngestMetrics} registers the meters.
 */
public final class IngestService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);
    static final Duration QUARANTINE_SWEEP = AcceptedReadings.SWEEP;
    static final Duration REJECTED_PURGE = Duration.ofHours(1);
    static final Duration COMMAND_SWEEP = Duration.ofSeconds(2);
    /** A ping that tells a database that is down from a write that failed for its data. */
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(3);

    private final IngestSettings settings;
    private final Topics topics;
    private final InboundDecoder decoder;
    private final UsageCalendar calendar;
    private final Clock clock = Clock.systemUTC();
    private final IngestCounters counters = new IngestCounters();
    /**
     * What the live session received (live readings, statuses, acknowledgements) and what the backlog session did
     * (history, outbox drains, and readings staff accepted), not yet written. The writer always takes live items
     * first, so a live item waits at most for the backlog batch being written. {@link #arrived} counts additions
     * (a permit each) so that the writer can sleep on both queues.
     */
    private final BlockingQueue<PendingItem> liveQueue = new LinkedBlockingQueue<>();
    private final BlockingQueue<PendingItem> backlogQueue = new LinkedBlockingQueue<>();
    private final Semaphore arrived = new Semaphore(0);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "ingest-timer"));

    private volatile boolean running;
    /** The client this instance made (and closes); null when it was handed its database. */
    private MongoClient mongo;
    private MongoDatabase db;
    private IngestMetrics metrics = IngestMetrics.NONE;
    private CommandTracker commands;
    private volatile Duration commandAckTimeout = CommandTracker.DEFAULT_ACK_TIMEOUT;
    /** The session of live readings, statuses and acknowledgements. */
    private MqttSubscriber live;
    /** The session of {@code +/backlog}; null when the settings give it no identity (then {@link #live} takes it too). */
    private MqttSubscriber backlog;
    private Thread writerThread;
    private volatile BatchWriter writer;
    /** Day and meter writes held while the writer is busy ({@link DeferredRollups}). Writer thread only (and start). */
    private DeferredRollups rollups;
    private StoreSetup setup;
    private Heartbeat heartbeat;
    private AcceptedReadings accepted;
    private volatile Consumer<List<Reading>> storedListener;

    /** An ingest that connects to the database of its settings ({@code MONGO_URI}) at {@link #start()}, and closes it. */
    public IngestService(IngestSettings settings) {
        this(settings, null);
    }

    /**
     * An ingest that writes to {@code db} (its settings' database is not used); the caller owns the client, which
     * {@link #stop()} leaves open. With null, as {@link #IngestService(IngestSettings)}.
     */
    public IngestService(IngestSettings settings, MongoDatabase db) {
        this.settings = settings;
        this.topics = new Topics(settings.ims().topicPrefix());
        this.decoder = new InboundDecoder(topics);
        this.calendar = new UsageCalendar(settings.ims().timeZone());
        this.db = db;
    }

    public IngestCounters counters() {
        return counters;
    }

    public CompletionStage<Void> start() {
        String uri = db != null ? null : settings.ims().mongoUri().orElseThrow(() -> new IllegalStateException("MONGO_URI is not set"));
        MqttEndpoint endpoint = settings.ims().mqttEndpoint().orElseThrow(() -> new IllegalStateException("MQTT_URL is not set"));
        String target;
        if (db == null) {
            mongo = MongoClients.create(uri);
            db = mongo.getDatabase(settings.ims().mongoDatabase());
            target = dev.ims.model.config.ImsSettings.hideCredentials(uri) + "/" + settings.ims().mongoDatabase();
        } else {
            target = "database " + db.getName();
        }
        IngestLimits limits = settings.limits();
        commands = new CommandTracker(db, clock, metrics.registry());
        commands.ackTimeout(commandAckTimeout);
        AlarmRaiser alarms = new AlarmRaiser(db, clock, limits.maxTrackedMeters());
        FleetChangeLog changes = new FleetChangeLog(db, settings.clientId(), clock);
        rollups = new DeferredRollups(db, calendar, settings.clientId(), limits.rollupDelay(), clock).afterMeters(alarms::onReadings)
                .changesTo(changes);
        setup = new StoreSetup(db, limits.rejectedRetention(), clock);
        accepted = new AcceptedReadings(db, clock);
        StoreWriter store = new StoreWriter(db, calendar, clock, limits, counters, metrics, rollups, alarms, changes, commands, accepted,
                () -> storedListener);
        writer = new BatchWriter(liveQueue, backlogQueue, arrived, () -> running, settings, store, rollups, metrics, this::pingable, clock,
                BatchWriter.RETRY);
        heartbeat = new Heartbeat(db, settings.clientId(), counters, clock, this::brokerUp, this::databaseUp, metrics);
        return CompletableFuture.runAsync(this::prepareDatabase)
                .thenCompose(v -> connect(endpoint))
                .thenRun(() -> {
                    running = true;
                    writerThread = new Thread(writer, "ingest-writer");
                    writerThread.start();
                    timer.scheduleWithFixedDelay(heartbeat, 0, Heartbeat.PERIOD.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(commands::sweep, COMMAND_SWEEP.toMillis(), COMMAND_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(heartbeat.summary(), Heartbeat.SUMMARY.toMillis(), Heartbeat.SUMMARY.toMillis(),
                            TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(() -> accepted.sweep(this::enqueueAccepted), QUARANTINE_SWEEP.toMillis(),
                            QUARANTINE_SWEEP.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(setup::purgeRejected, 0, REJECTED_PURGE.toMillis(), TimeUnit.MILLISECONDS);
                    timer.scheduleWithFixedDelay(changes::purge, 0, FleetFeed.SLOT.toMillis() * 12, TimeUnit.MILLISECONDS);
                    LOG.info("Ingest {} started: {} -> {}", settings.clientId(), endpoint.url(), target);
                });
    }

    private void prepareDatabase() {
        setup.createIndexes();
        new LayoutMigration(db, calendar, LayoutMigration.DEFAULT_BATCH).run();
        // Before any message is taken: the usage of readings a killed run acknowledged and had not rolled up yet.
        rollups.recover();
        setup.rejectedTtl();
        heartbeat.restoreCounters();
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
    private void onMessage(MqttSubscriber.Inbound publish, BlockingQueue<PendingItem> queue) {
        try {
            InboundDecoder.Decoded decoded = decoder.decode(publish.topic(), publish.payload(), clock.instant());
            if (decoded.counted()) {
                counters.received.incrementAndGet();
            }
            queue.add(PendingItem.of(publish, decoded));
        } finally {
            arrived.release();
        }
    }

    /** A quarantined reading staff accepted: written by the writer with the backlog. */
    private void enqueueAccepted(PendingItem item) {
        backlogQueue.add(item);
        arrived.release();
    }

    /** Whether the database answers a ping within {@link #PING_TIMEOUT}. */
    private boolean pingable() {
        try {
            Mono.from(db.runCommand(new Document("ping", 1))).block(PING_TIMEOUT);
            return true;
        } catch (RuntimeException e) {
            return false;
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
     * Registers the ingest's meters in {@code registry} (set before {@link #start()}): messages by outcome,
     * rejections by reason, batch write time and size, queue length, broker and database up, command
     * transitions. Names start with {@code ims.ingest}; Prometheus shows them as {@code ims_ingest_*} ({@link IngestMetrics}).
     */
    public IngestService metrics(MeterRegistry registry) {
        this.metrics = IngestMetrics.register(registry, settings.clientId(), counters, () -> liveQueue.size() + backlogQueue.size(),
                backlogQueue::size, this::databaseUp, this::brokerUp);
        return this;
    }

    /**
     * How long a relay command may wait for the meter's acknowledgement before it is {@code TIMED_OUT} or
     * {@code EXPIRED} (default 60 s). Set before {@link #start()}.
     */
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
        BatchWriter w = writer;
        return w == null || w.databaseUp();
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
            if (writerThread != null) {
                try {
                    writerThread.join(15_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            timer.shutdownNow();
            if (heartbeat != null) {
                heartbeat.run();
            }
            if (mongo != null) {
                mongo.close();
            }
            LOG.info("Ingest stopped ({})", counters);
        });
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
