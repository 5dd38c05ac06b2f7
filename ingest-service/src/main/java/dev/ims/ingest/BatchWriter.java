package dev.ims.ingest;

import dev.ims.model.log.LogSafe;
import dev.ims.model.retry.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread's loop: takes batches from the live and the backlog queue (live first), writes each through the
 * {@link Store} and acknowledges its messages, retrying under {@link #RETRY} while the database is down (the messages
 * staying unacknowledged, so held by the broker), narrowing a failure for the data down to the one message, which is
 * quarantined; and flushes the held day and meter writes ({@link DeferredRollups}). Tracks whether the database is up.
 * {@link #run()} on one thread; {@link #databaseUp()} from any.
 */
final class BatchWriter implements Runnable {

    /** What the writer writes to: {@link StoreWriter}. */
    interface Store {
        /** Writes {@code batch} (idempotent); {@code deferRollups}: its day and meter writes may wait for the flush. */
        void write(List<PendingItem> batch, boolean deferRollups);

        /** Stores a message that could not be written as {@code PROCESSING_FAILED}; never throws for its data. */
        void quarantine(PendingItem item, RuntimeException cause);
    }

    /**
     * The retry of a batch (or of the held rollups) while the database is down: 100 ms, doubling, at most 10 s, less up
     * to a fifth at random so that the instances of a group that lost the database together do not retry in step.
     */
    static final Backoff RETRY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 0.2);

    /** The ingest's logger: what it logs is the ingest's, whichever part does it. */
    private static final Logger LOG = LoggerFactory.getLogger(IngestService.class);

    private final BlockingQueue<PendingItem> liveQueue;
    private final BlockingQueue<PendingItem> backlogQueue;
    /** A permit per addition to either queue, so that the writer can sleep on both. */
    private final Semaphore arrived;
    private final BooleanSupplier running;
    private final int batchSize;
    private final Duration maxBatchDelay;
    private final int maxAttempts;
    private final Store store;
    private final DeferredRollups rollups;
    private final IngestMetrics metrics;
    private final BooleanSupplier ping;
    private final Clock clock;
    private final Backoff retry;
    private volatile Instant databaseDownSince;
    /** Whether the batch being written may leave its day and meter writes to {@link #rollups}. Writer thread only. */
    private boolean deferRollups;

    /**
     * @param running false once the ingest stops: the loop then ends when both queues are empty
     * @param ping whether the database answers a ping (blocking, bounded)
     */
    BatchWriter(BlockingQueue<PendingItem> liveQueue, BlockingQueue<PendingItem> backlogQueue, Semaphore arrived, BooleanSupplier running,
            IngestSettings settings, Store store, DeferredRollups rollups, IngestMetrics metrics, BooleanSupplier ping, Clock clock,
            Backoff retry) {
        this.liveQueue = liveQueue;
        this.backlogQueue = backlogQueue;
        this.arrived = arrived;
        this.running = running;
        this.batchSize = settings.batchSize();
        this.maxBatchDelay = settings.maxBatchDelay();
        this.maxAttempts = settings.limits().maxAttempts();
        this.store = store;
        this.rollups = rollups;
        this.metrics = metrics;
        this.ping = ping;
        this.clock = clock;
        this.retry = retry;
    }

    /** False from a failed write until a write succeeds again: the database is down or refusing writes. */
    boolean databaseUp() {
        return databaseDownSince == null;
    }

    /**
     * The writer thread: one batch at a time, live items first. A batch is what waits in one queue (up to the batch
     * size; with {@link IngestSettings#maxBatchDelay()} it waits that long for more), so a live item waits at most for
     * the backlog batch being written. Runs until stopped and both queues are empty.
     */
    @Override
    public void run() {
        List<PendingItem> batch = new ArrayList<>(batchSize);
        while (running.getAsBoolean() || !liveQueue.isEmpty() || !backlogQueue.isEmpty()) {
            try {
                BlockingQueue<PendingItem> from = !liveQueue.isEmpty() ? liveQueue : backlogQueue;
                PendingItem first = from.poll();
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
                from.drainTo(batch, batchSize - batch.size());
                long deadline = System.nanoTime() + maxBatchDelay.toNanos();
                while (batch.size() < batchSize && deadline - System.nanoTime() > 0) {
                    PendingItem next = from.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                    from.drainTo(batch, batchSize - batch.size());
                }
                long started = System.nanoTime();
                // Busy when more waits: then this batch's days and meters may wait for the next flush.
                deferRollups = rollups.mayDefer(!liveQueue.isEmpty() || !backlogQueue.isEmpty());
                writeWithRetry(batch);
                metrics.batchWritten(System.nanoTime() - started, batch.size());
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
        int attempt = 0;
        int failures = 0;
        while (true) {
            try {
                rollups.flush();
                markDatabaseUp();
                return;
            } catch (RuntimeException e) {
                if (!DatabaseErrors.unavailable(e) && pingable()) {
                    if (++failures >= maxAttempts) {
                        LOG.warn("Usage and meter documents of {} readings not written after {} attempts; the next start re-rolls "
                                + "them from the journal: {}", rollups.size(), failures, LogSafe.of(DatabaseErrors.describe(e)));
                        rollups.drop();
                        return;
                    }
                } else {
                    markDatabaseDown(e);
                }
                if (!running.getAsBoolean() && retry.atCap(attempt)) {
                    LOG.error("Stopping with the usage of {} stored readings not rolled up; the next start re-rolls it from the journal",
                            rollups.size());
                    rollups.drop();
                    return;
                }
                Thread.sleep(retry.next(attempt++).toMillis());
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
    private void writeWithRetry(List<PendingItem> batch) throws InterruptedException {
        int attempt = 0;
        List<PendingItem> left = new ArrayList<>(batch);
        while (true) {
            try {
                store.write(left, deferRollups);
                left.forEach(PendingItem::acknowledge);
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
                long backoff = retry.next(attempt++).toMillis();
                LOG.debug("Database write failed, retrying in {} ms: {}", backoff, e.toString());
                Thread.sleep(backoff);
                if (!running.getAsBoolean() && retry.atCap(attempt)) {
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
    private boolean writeEachAlone(List<PendingItem> left) throws InterruptedException {
        while (!left.isEmpty()) {
            PendingItem item = left.get(0);
            RuntimeException last = null;
            for (int attempt = 1; attempt <= maxAttempts; attempt++) {
                try {
                    store.write(List.of(item), deferRollups);
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
                store.quarantine(item, last);
            }
            item.acknowledge();
            left.remove(0);
        }
        return true;
    }

    /** Whether the database answers a ping: the ingest's own view of it, telling a database that is down from a write that failed for its data. */
    private boolean pingable() {
        return ping.getAsBoolean();
    }

    private void markDatabaseDown(RuntimeException e) {
        if (databaseDownSince == null) {
            databaseDownSince = clock.instant();
            LOG.warn("Database down; received messages stay unacknowledged (the broker keeps them), retrying with backoff up to {} s: {}",
                    retry.max().toSeconds(), LogSafe.of(e.toString()));
        }
    }

    private void markDatabaseUp() {
        Instant downSince = databaseDownSince;
        if (downSince != null) {
            databaseDownSince = null;
            LOG.info("Database back after {} s; writing again", Duration.between(downSince, clock.instant()).toSeconds());
        }
    }
}
