package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IngestMetricsTest {

    @Test
    void registeredMeters_followTheCountersQueuesAndHealth_underTheirPublishedNames() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IngestCounters counters = new IngestCounters();
        AtomicInteger queued = new AtomicInteger(7);
        AtomicBoolean databaseUp = new AtomicBoolean(true);
        IngestMetrics metrics = IngestMetrics.register(registry, "ingest-1", counters, queued::get, () -> 2, databaseUp::get, () -> false);
        counters.received.addAndGet(5);
        counters.stored.addAndGet(3);
        counters.rejected.addAndGet(2);
        System.gc(); // the gauges' suppliers are held strongly: a weak reference would read NaN from here on

        assertThat(registry.get("ims.ingest.messages").tags("outcome", "received", "instance", "ingest-1").functionCounter().count()).isEqualTo(5);
        assertThat(registry.get("ims.ingest.messages").tags("outcome", "stored").functionCounter().count()).isEqualTo(3);
        assertThat(registry.get("ims.ingest.messages").tags("outcome", "duplicate").functionCounter().count()).isZero();
        assertThat(registry.get("ims.ingest.messages").tags("outcome", "rejected").functionCounter().count()).isEqualTo(2);
        assertThat(registry.get("ims.ingest.queue").gauge().value()).isEqualTo(7);
        assertThat(registry.get("ims.ingest.queue.backlog").gauge().value()).isEqualTo(2);
        assertThat(registry.get("ims.ingest.database.up").gauge().value()).isEqualTo(1);
        assertThat(registry.get("ims.ingest.broker.up").gauge().value()).isZero();
        queued.set(0);
        databaseUp.set(false);
        assertThat(registry.get("ims.ingest.queue").gauge().value()).isZero();
        assertThat(registry.get("ims.ingest.database.up").gauge().value()).isZero();

        metrics.batchWritten(2_000_000, 40);
        metrics.rejected("MALFORMED_JSON");
        metrics.rejected("MALFORMED_JSON");
        metrics.rejectedUnstored(3);
        assertThat(registry.get("ims.ingest.batch.write").timer().count()).isEqualTo(1);
        assertThat(registry.get("ims.ingest.batch.size").summary().totalAmount()).isEqualTo(40);
        assertThat(registry.get("ims.ingest.rejected").tags("reason", "MALFORMED_JSON", "instance", "ingest-1").counter().count()).isEqualTo(2);
        assertThat(registry.get("ims.ingest.rejected.unstored").counter().count()).isEqualTo(3);
    }

    @Test
    void none_recordsNothing_andNeverThrows() {
        IngestMetrics.NONE.batchWritten(1, 1);
        IngestMetrics.NONE.rejected("X");
        IngestMetrics.NONE.rejectedUnstored(1);
        assertThat(IngestMetrics.NONE.registry()).isNull();
        assertThat(IngestMetrics.NONE.batchWrites()).isNull();
    }
}
