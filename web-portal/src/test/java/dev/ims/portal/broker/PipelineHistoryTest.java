package dev.ims.portal.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineHistoryTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private final PipelineHistory history = new PipelineHistory(Duration.ofSeconds(10));

    private static BrokerFigures dropped(long n) {
        return new BrokerFigures(T0, 1L, 0.0, 0.0, 0L, 0L, n, 0L, 0L, 0L, 0L, "v");
    }

    private static IngestFigures ingest(String name, boolean alive, double rate) {
        return new IngestFigures(name, T0, alive, "UP", "UP", rate, 0.0, 0L, 0.0, 1.0, 1.0, 1.0, 1.0);
    }

    @Test
    void keepsAnHour_atOneSamplePerInterval() {
        for (int i = 0; i < 400; i++) {
            history.record(T0.plusSeconds(10L * i), dropped(0), List.of(ingest("a", true, i)));
        }
        assertThat(history.broker()).hasSize(360);
        assertThat(history.broker().get(0).at()).isEqualTo(T0.plusSeconds(400));
        List<PipelineHistory.IngestSample> a = history.ingest().get("a");
        assertThat(a.get(a.size() - 1).ratePerSecond()).isEqualTo(399.0);
        assertThat(a.get(0).at()).isAfterOrEqualTo(T0.plusSeconds(3990).minus(PipelineHistory.SPAN));
    }

    @Test
    void droppedWithin_countsTheIncreaseInTheWindow_notBefore_andAcrossABrokerRestart() {
        history.record(T0, dropped(5), List.of());
        history.record(T0.plusSeconds(600), dropped(5), List.of());
        assertThat(history.droppedWithin(Duration.ofMinutes(5))).isZero(); // the 5 dropped before the history began
        history.record(T0.plusSeconds(610), dropped(8), List.of());
        assertThat(history.droppedWithin(Duration.ofMinutes(5))).isEqualTo(3);
        history.record(T0.plusSeconds(620), dropped(2), List.of()); // restarted, dropped 2 since
        assertThat(history.droppedWithin(Duration.ofMinutes(5))).isEqualTo(5);
        history.record(T0.plusSeconds(1000), dropped(2), List.of());
        history.record(T0.plusSeconds(1010), dropped(2), List.of());
        assertThat(history.droppedWithin(Duration.ofMinutes(5))).isZero();
    }

    @Test
    void silentInstances_getNoSamples_andLeaveTheHistoryOnceTheirHourIsOver() {
        history.record(T0, null, List.of(ingest("a", true, 1), ingest("b", true, 2)));
        history.record(T0.plusSeconds(10), null, List.of(ingest("a", true, 1), ingest("b", false, 2)));
        assertThat(history.ingest().get("b")).hasSize(1);
        assertThat(history.broker()).isEmpty(); // no monitor: no broker samples
        history.record(T0.plusSeconds(3700), null, List.of(ingest("a", true, 1), ingest("b", false, 2)));
        assertThat(history.ingest()).containsOnlyKeys("a");
    }
}
