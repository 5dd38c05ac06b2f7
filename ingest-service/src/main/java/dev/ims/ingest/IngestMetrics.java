package dev.ims.ingest;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The ingest's meters in a registry: messages by outcome, rejections by reason, batch write time and size, queue
 * length, broker and database up. Names start with {@code ims.ingest}; Prometheus shows them as {@code ims_ingest_*}.
 * {@link #NONE} records nothing (an ingest without a registry). Thread-safe.
 */
final class IngestMetrics {

    /** No registry: every call is a no-op and {@link #batchWrites()} / {@link #batchSizes()} are null. */
    static final IngestMetrics NONE = new IngestMetrics(null, "", null, null);

    private final MeterRegistry registry;
    private final String instance;
    private final Timer batchWrites;
    private final DistributionSummary batchSizes;

    private IngestMetrics(MeterRegistry registry, String instance, Timer batchWrites, DistributionSummary batchSizes) {
        this.registry = registry;
        this.instance = instance;
        this.batchWrites = batchWrites;
        this.batchSizes = batchSizes;
    }

    /**
     * Registers the meters of ingest {@code instance}: its totals, its queues' lengths ({@code queued} all,
     * {@code backlogQueued} the backlog session's) and its view of the database and broker. The gauges hold their
     * suppliers strongly (a gauge's state is otherwise a weak reference, and a lambda would be collected).
     */
    static IngestMetrics register(MeterRegistry registry, String instance, IngestCounters counters, IntSupplier queued,
            IntSupplier backlogQueued, BooleanSupplier databaseUp, BooleanSupplier brokerUp) {
        String id = instance;
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::received).tag("outcome", "received").tag("instance", id)
                .description("messages taken from the broker that count: readings and anything rejected").register(registry);
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::stored).tag("outcome", "stored").tag("instance", id).register(registry);
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::duplicates).tag("outcome", "duplicate").tag("instance", id).register(registry);
        FunctionCounter.builder("ims.ingest.messages", counters, IngestCounters::rejected).tag("outcome", "rejected").tag("instance", id).register(registry);
        Gauge.builder("ims.ingest.queue", queued, IntSupplier::getAsInt).tag("instance", id).strongReference(true)
                .description("messages received and not yet written (bounded by the broker's in-flight windows)").register(registry);
        Gauge.builder("ims.ingest.queue.backlog", backlogQueued, IntSupplier::getAsInt).tag("instance", id).strongReference(true)
                .description("of those, backlog readings (the backlog session's)").register(registry);
        Gauge.builder("ims.ingest.database.up", databaseUp, s -> s.getAsBoolean() ? 1 : 0).tag("instance", id).strongReference(true).register(registry);
        Gauge.builder("ims.ingest.broker.up", brokerUp, s -> s.getAsBoolean() ? 1 : 0).tag("instance", id).strongReference(true).register(registry);
        Timer batchWrites = Timer.builder("ims.ingest.batch.write").tag("instance", id).description("time to write one batch, retries included")
                .publishPercentileHistogram().register(registry);
        DistributionSummary batchSizes = DistributionSummary.builder("ims.ingest.batch.size").tag("instance", id).register(registry);
        return new IngestMetrics(registry, instance, batchWrites, batchSizes);
    }

    /** The registry, or null ({@link #NONE}). */
    MeterRegistry registry() {
        return registry;
    }

    Timer batchWrites() {
        return batchWrites;
    }

    DistributionSummary batchSizes() {
        return batchSizes;
    }

    /** One batch written in {@code nanos}, retries included. */
    void batchWritten(long nanos, int size) {
        if (batchWrites != null) {
            batchWrites.record(nanos, TimeUnit.NANOSECONDS);
            batchSizes.record(size);
        }
    }

    /** A message rejected for {@code reason} (a {@code RejectReason} name). */
    void rejected(String reason) {
        if (registry != null) {
            registry.counter("ims.ingest.rejected", "reason", String.valueOf(reason), "instance", instance).increment();
        }
    }

    /** {@code count} rejections not stored (the sampler's limits). */
    void rejectedUnstored(long count) {
        if (registry != null) {
            registry.counter("ims.ingest.rejected.unstored", "instance", instance).increment(count);
        }
    }
}
