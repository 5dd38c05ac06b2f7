package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class PipelineFiguresTest {

    private static final long S = 1_000_000_000L;
    private final PipelineFigures figures = new PipelineFigures();
    private final IngestCounters counters = new IngestCounters();

    private Document at(long seconds) {
        return figures.sample(seconds * S, counters, null, null);
    }

    @Test
    void lag_growsWhileReadingsWaitUnwritten_andIsZeroOnceWritten() {
        counters.received.set(10);
        assertThat(at(100).getDouble("lagSeconds")).isZero(); // counted just now
        assertThat(at(102).getDouble("lagSeconds")).isEqualTo(2.0);
        counters.received.set(20);
        counters.stored.set(5);
        assertThat(at(104).getDouble("lagSeconds")).isEqualTo(4.0);
        counters.stored.set(12); // the first 10 written: the oldest waiting was counted at 104
        assertThat(at(106).getDouble("lagSeconds")).isEqualTo(2.0);
        assertThat(at(106).getLong("queued")).isEqualTo(8);
        counters.stored.set(17);
        counters.duplicates.set(2);
        counters.rejected.set(1);
        assertThat(at(108).getDouble("lagSeconds")).isZero();
        assertThat(at(108).getLong("queued")).isZero();
    }

    @Test
    void lag_ofASteadyFlowWrittenBetweenHeartbeats_isZero() {
        for (int t = 0; t < 20; t += 2) {
            counters.received.addAndGet(100);
            counters.stored.addAndGet(100);
            assertThat(at(t).getDouble("lagSeconds")).isZero();
        }
    }

    @Test
    void rate_isReadingsPerSecondOverTheLastTenSeconds() {
        for (int t = 0; t <= 30; t += 2) {
            counters.received.set(t * 50L);
            at(t);
        }
        counters.received.set(32 * 50L + 400); // a burst of 400 in the last 2 s
        assertThat(at(32).getDouble("ratePerSecond")).isEqualTo(90.0);
    }

    @Test
    void rejectedPerMinute_countsTheLastMinute_notTheTotal() {
        counters.rejected.set(1_000); // from before this start
        counters.received.set(1_000);
        for (int t = 0; t <= 120; t += 2) {
            counters.rejected.set(1_000 + t / 2);
            counters.received.set(1_000 + t / 2);
            at(t);
        }
        counters.rejected.set(1_061);
        counters.received.set(1_061);
        assertThat(at(122).getDouble("rejectedPerMinute")).isEqualTo(30.0); // 1031 at 62 s to 1061 at 122 s
    }

    @Test
    void batchFigures_areOfTheBatchesWrittenInTheWindow_andAbsentWithoutMeters() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Timer writes = Timer.builder("w").register(registry);
        DistributionSummary sizes = DistributionSummary.builder("s").register(registry);
        writes.record(10, TimeUnit.MILLISECONDS);
        sizes.record(100);
        figures.sample(0, counters, writes, sizes);
        writes.record(20, TimeUnit.MILLISECONDS);
        sizes.record(200);
        writes.record(40, TimeUnit.MILLISECONDS);
        sizes.record(400);
        Document d = figures.sample(12 * S, counters, writes, sizes);
        assertThat(d.getDouble("batchSizeMean")).isEqualTo(300.0);
        assertThat(d.getDouble("writeLatencyMeanMs")).isEqualTo(30.0);
        assertThat(d.getDouble("batchSizeMax")).isEqualTo(400.0);
        assertThat(d.getDouble("writeLatencyMaxMs")).isEqualTo(40.0);
        assertThat(new PipelineFigures().sample(0, counters, null, null)).doesNotContainKey("batchSizeMean");
    }
}
