package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.reading.FaultCode;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import dev.ims.store.alarm.AlarmKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlarmRaiserTest {

    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private static Reading r(long seq, FaultCode fault, RelayState relay) {
        return Reading.of("m", seq, T0.plusSeconds(60 * seq), 1 + seq, null, null, null, fault, relay);
    }

    private static List<String> summary(List<AlarmRaiser.Change> changes) {
        return changes.stream().map(c -> (c.isTransient() ? "passed " : c.isClear() ? "clear " : "raise ") + c.raise().kind()
                + "@" + c.raise().raisedAt().getEpochSecond() / 60 % 60).toList();
    }

    @Test
    void aFaultRun_isRaisedFromItsFirstReading_inSeqOrder_andNothingMoreWhileItLasts() {
        AlarmRaiser.Belief b = new AlarmRaiser.Belief();
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(2, FaultCode.TAMPER, null), r(1, FaultCode.TAMPER, null), r(0, null, null)), NOW)))
                .containsExactly("raise TAMPER@1");
        assertThat(b.present).containsExactly(AlarmKind.TAMPER);
        assertThat(AlarmRaiser.judge(b, "m", List.of(r(3, FaultCode.TAMPER, null)), NOW)).isEmpty();
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(4, null, null)), NOW))).containsExactly("clear TAMPER@4");
        assertThat(b.present).isEmpty();
    }

    @Test
    void aFaultThatComesAndGoesWithinOneFlush_goesStraightToTheHistory() {
        AlarmRaiser.Belief b = new AlarmRaiser.Belief();
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(0, null, null), r(1, FaultCode.OVERVOLTAGE, null), r(2, null, null)), NOW)))
                .containsExactly("passed METER_FAULT@1");
        assertThat(b.present).isEmpty();
    }

    @Test
    void tamperAndOtherFaults_areTwoKinds_andAReadingOfOneLeavesTheOtherAlone_butOkEndsBoth() {
        AlarmRaiser.Belief b = new AlarmRaiser.Belief();
        AlarmRaiser.judge(b, "m", List.of(r(0, FaultCode.SENSOR, null)), NOW);
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(1, FaultCode.TAMPER, null)), NOW))).containsExactly("raise TAMPER@1");
        assertThat(b.present).containsExactlyInAnyOrder(AlarmKind.TAMPER, AlarmKind.METER_FAULT);
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(2, null, null)), NOW))).containsExactlyInAnyOrder("clear TAMPER@2", "clear METER_FAULT@2");
    }

    @Test
    void theRelay_raisesSupplyOffWhenOff_clearsWhenOn_andAReadingWithoutOneTellsNothing() {
        AlarmRaiser.Belief b = new AlarmRaiser.Belief();
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(0, null, RelayState.OFF)), NOW))).containsExactly("raise SUPPLY_OFF@0");
        assertThat(AlarmRaiser.judge(b, "m", List.of(r(1, null, null)), NOW)).isEmpty();
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(2, null, RelayState.ON)), NOW))).containsExactly("clear SUPPLY_OFF@2");
    }

    @Test
    void aLateReadingWithAFault_leavesATraceInTheHistory_butChangesNothingCurrent() {
        AlarmRaiser.Belief b = new AlarmRaiser.Belief();
        AlarmRaiser.judge(b, "m", List.of(r(10, null, null)), NOW);
        assertThat(summary(AlarmRaiser.judge(b, "m", List.of(r(4, FaultCode.TAMPER, null)), NOW))).containsExactly("passed TAMPER@4");
        assertThat(b.present).isEmpty();
        assertThat(b.lastSeq).isEqualTo(10);
    }

    @Test
    void statuses_raiseOfflineOnce_clearOnANewerOnline_andIgnoreOlderOnes() {
        AlarmRaiser.Belief b = new AlarmRaiser.Belief();
        assertThat(AlarmRaiser.judgeStatus(b, StatusMessage.of("m", ConnectionState.OFFLINE, T0), NOW).isClear()).isFalse();
        assertThat(AlarmRaiser.judgeStatus(b, StatusMessage.of("m", ConnectionState.OFFLINE, T0.plusSeconds(1)), NOW)).isNull();
        assertThat(AlarmRaiser.judgeStatus(b, StatusMessage.of("m", ConnectionState.ONLINE, T0.minusSeconds(5)), NOW)).isNull();
        AlarmRaiser.Change online = AlarmRaiser.judgeStatus(b, StatusMessage.of("m", ConnectionState.ONLINE, T0.plusSeconds(9)), NOW);
        assertThat(online.isClear()).isTrue();
        assertThat(online.clearedBy()).isEqualTo(T0.plusSeconds(9));
        assertThat(b.present).isEmpty();
    }
}
