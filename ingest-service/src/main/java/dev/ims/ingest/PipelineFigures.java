package dev.ims.ingest;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.bson.Document;

/**
 * The figures an ingest instance reports in its heartbeat document (field {@value #FIELD}) for the staff's pipeline
 * monitor, worked out from the instance's totals ({@link IngestCounters}) and its batch meters, sampled at each
 * heartbeat; nothing is counted per message here.
 *
 * <ul>
 *   <li>{@code ratePerSecond}: readings received per second over the last {@link #RATE_WINDOW};
 *   <li>{@code rejectedPerMinute}: payloads rejected in the last minute (scaled up while the instance is younger);
 *   <li>{@code lagSeconds}: the age of the oldest reading received and not yet written (stored, found a duplicate or
 *       rejected), 0 when all are written. Known to the heartbeat period: it is the time since the first heartbeat
 *       that had counted a reading not written now, so it is at most one period short. Readings are counted in the
 *       order they arrive; the writer takes live readings before backlog ones, so a backlog reading may wait longer;
 *   <li>{@code queued}: readings received and not yet written;
 *   <li>{@code batchSizeMean}, {@code batchSizeMax}, {@code writeLatencyMeanMs}, {@code writeLatencyMaxMs}: the
 *       batches written over the last {@link #RATE_WINDOW} (no batch: 0), from the meters {@link IngestService#metrics}
 *       registers; without them (no registry) these four are absent.
 * </ul>
 * Thread-safe (the heartbeat's timer and the final heartbeat at stop).
 */
final class PipelineFigures {

    static final String FIELD = "pipeline";
    static final Duration RATE_WINDOW = Duration.ofSeconds(10);
    static final Duration REJECTED_WINDOW = Duration.ofMinutes(1);
    /** Samples kept for the lag while readings wait unwritten; beyond this the lag is reported from the oldest kept. */
    static final int MAX_SAMPLES = 20_000;

    private record Sample(long nanos, long received, long written, long rejected, long batches, double batchItems, double writeNanos) {}

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    /** Samples the totals now and returns the figures as the heartbeat's sub-document. */
    synchronized Document sample(long nowNanos, IngestCounters counters, Timer writes, DistributionSummary sizes) {
        long written = counters.stored() + counters.duplicates() + counters.rejected();
        Sample now = new Sample(nowNanos, counters.received(), written, counters.rejected(),
                writes == null ? 0 : writes.count(), sizes == null ? 0 : sizes.totalAmount(),
                writes == null ? 0 : writes.totalTime(TimeUnit.NANOSECONDS));
        samples.addLast(now);
        trim(now);
        Document d = new Document();
        Sample rateFrom = atLeastAgo(now, RATE_WINDOW);
        double seconds = (now.nanos - rateFrom.nanos) / 1e9;
        d.append("ratePerSecond", seconds > 0 ? round((now.received - rateFrom.received) / seconds) : 0.0);
        Sample rejectedFrom = atLeastAgo(now, REJECTED_WINDOW);
        double minutes = (now.nanos - rejectedFrom.nanos) / 60e9;
        d.append("rejectedPerMinute", minutes > 0 ? round((now.rejected - rejectedFrom.rejected) / minutes) : 0.0);
        d.append("lagSeconds", round(lagNanos(now) / 1e9));
        d.append("queued", Math.max(0, now.received - now.written));
        if (writes != null && sizes != null) {
            long batches = now.batches - rateFrom.batches;
            d.append("batchSizeMean", batches > 0 ? round((now.batchItems - rateFrom.batchItems) / batches) : 0.0);
            d.append("batchSizeMax", round(sizes.max()));
            d.append("writeLatencyMeanMs", batches > 0 ? round((now.writeNanos - rateFrom.writeNanos) / batches / 1e6) : 0.0);
            d.append("writeLatencyMaxMs", round(writes.max(TimeUnit.MILLISECONDS)));
        }
        return d;
    }

    /** The newest sample at least {@code window} before {@code now}, else the oldest one (the instance is younger). */
    private Sample atLeastAgo(Sample now, Duration window) {
        Sample found = samples.peekFirst();
        for (Sample s : samples) {
            if (now.nanos - s.nanos >= window.toNanos()) {
                found = s;
            } else {
                break;
            }
        }
        return found;
    }

    /** From the earliest sample that had counted a reading not written now: every reading before it is written. */
    private long lagNanos(Sample now) {
        if (now.received <= now.written) {
            return 0;
        }
        for (Sample s : samples) {
            if (s.received > now.written) {
                return now.nanos - s.nanos;
            }
        }
        return 0;
    }

    /** Drops samples no window needs: older than the rejection window and not needed for the lag. */
    private void trim(Sample now) {
        Iterator<Sample> it = samples.iterator();
        while (samples.size() > 2 && it.hasNext()) {
            Sample oldest = it.next();
            boolean old = now.nanos - oldest.nanos > REJECTED_WINDOW.toNanos() + RATE_WINDOW.toNanos();
            // The lag needs the last sample that had counted no more than is written now, and all after it.
            boolean neededForLag = oldest.received > now.written;
            if ((old && !neededForLag) || samples.size() > MAX_SAMPLES) {
                it.remove();
            } else {
                break;
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
