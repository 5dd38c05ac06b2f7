package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.MongoSocketOpenException;
import com.mongodb.ServerAddress;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.reading.Reading;
import dev.ims.model.retry.Backoff;
import dev.ims.model.usage.UsageCalendar;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer loop and its retry policy against a store that fails on demand (no database: the {@link BatchWriter.Store}
 * is the seam; the held rollups stay empty, so they never touch one).
 */
class BatchWriterTest {

    private static final Backoff FAST = new Backoff(Duration.ofMillis(1), Duration.ofMillis(8), 0.2);
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private final BlockingQueue<PendingItem> live = new LinkedBlockingQueue<>();
    private final BlockingQueue<PendingItem> backlog = new LinkedBlockingQueue<>();
    private final Semaphore arrived = new Semaphore(0);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean databaseReachable = new AtomicBoolean(true);
    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final FakeStore store = new FakeStore();
    private BatchWriter writer;
    private Thread thread;

    @AfterEach
    void stop() throws InterruptedException {
        running.set(false);
        if (thread != null) {
            thread.join(5_000);
        }
    }

    @Test
    void batch_writtenOnce_thenEveryMessageAcknowledged_inOrder() {
        start();
        offer(live, "a", "b", "c");
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.size() == 3);
        assertThat(acknowledged).containsExactly("a", "b", "c");
        assertThat(store.quarantined).isEmpty();
        assertThat(writer.databaseUp()).isTrue();
    }

    @Test
    void databaseDown_keepsTheBatchUnacknowledged_andRetries_untilItIsBack() throws InterruptedException {
        store.failWith = new MongoSocketOpenException("down", new ServerAddress());
        databaseReachable.set(false);
        start();
        offer(live, "a", "b");
        await().atMost(Duration.ofSeconds(5)).until(() -> store.attempts.size() >= 5);
        assertThat(acknowledged).isEmpty();
        assertThat(writer.databaseUp()).isFalse();
        store.failWith = null;
        databaseReachable.set(true);
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.size() == 2);
        assertThat(writer.databaseUp()).isTrue();
        assertThat(store.quarantined).isEmpty();
    }

    @Test
    void failureForTheData_isNarrowedToTheOneMessage_whichIsQuarantined_andTheOthersStored() {
        store.poison = "b";
        offer(live, "a", "b", "c"); // before the start: one batch
        start();
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.size() == 3);
        assertThat(store.quarantined).containsExactly("b");
        assertThat(store.written).containsExactly("a", "c");
        // The poisoned message alone: tried maxAttempts times before it is quarantined.
        assertThat(store.attempts.stream().filter(List.of("b")::equals).count()).isEqualTo(IngestLimits.DEFAULT_MAX_ATTEMPTS);
        assertThat(writer.databaseUp()).isTrue();
    }

    @Test
    void liveItems_areWrittenBeforeTheBacklog() {
        offer(backlog, "old-1", "old-2");
        offer(live, "new-1");
        start();
        await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged.size() == 3);
        assertThat(acknowledged).containsExactly("new-1", "old-1", "old-2");
    }

    @Test
    void stoppingWhileTheDatabaseIsDown_givesUpOnceTheBackoffIsAtItsCap_leavingTheBatchUnacknowledged() throws InterruptedException {
        store.failWith = new MongoSocketOpenException("down", new ServerAddress());
        databaseReachable.set(false);
        start();
        offer(live, "a");
        await().atMost(Duration.ofSeconds(5)).until(() -> !store.attempts.isEmpty());
        running.set(false);
        thread.join(5_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(acknowledged).isEmpty();
        assertThat(store.written).isEmpty();
    }

    private void start() {
        IngestSettings settings = IngestSettings.of(ImsSettings.load(Map.of("TIME_ZONE", "UTC"), Map.of()), "batch-writer-test");
        Clock clock = Clock.systemUTC();
        DeferredRollups rollups = new DeferredRollups(null, new UsageCalendar(ZoneOffset.UTC), "batch-writer-test", Duration.ZERO, clock);
        writer = new BatchWriter(live, backlog, arrived, running::get, settings, store, rollups, IngestMetrics.NONE, databaseReachable::get,
                clock, FAST);
        thread = new Thread(writer, "batch-writer-test");
        thread.start();
    }

    private void offer(BlockingQueue<PendingItem> queue, String... names) {
        long seq = 0;
        for (String name : names) {
            Reading r = Reading.of("meter-" + name, seq++, T0, 1.0, 0.0, 230.0, null, null, null);
            queue.add(new PendingItem(new MqttSubscriber.Inbound(name, new byte[0], () -> acknowledged.add(name)), r, null, null, null, null));
            arrived.release();
        }
    }

    /** Writes nothing; fails every write with {@link #failWith}, or any write that holds {@link #poison}. */
    private static final class FakeStore implements BatchWriter.Store {
        volatile RuntimeException failWith;
        volatile String poison;
        final List<List<String>> attempts = Collections.synchronizedList(new ArrayList<>());
        final List<String> written = new CopyOnWriteArrayList<>();
        final List<String> quarantined = new CopyOnWriteArrayList<>();

        @Override
        public void write(List<PendingItem> batch, boolean deferRollups) {
            List<String> topics = batch.stream().map(PendingItem::topic).toList();
            attempts.add(topics);
            RuntimeException e = failWith;
            if (e != null) {
                throw e;
            }
            if (topics.contains(poison)) {
                throw new IllegalArgumentException("cannot store " + poison);
            }
            written.addAll(topics);
        }

        @Override
        public void quarantine(PendingItem item, RuntimeException cause) {
            quarantined.add(item.topic());
        }
    }
}
