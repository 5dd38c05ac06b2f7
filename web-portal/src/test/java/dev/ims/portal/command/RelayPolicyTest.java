package dev.ims.portal.command;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.reading.RelayState;
import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RelayPolicyTest {

    static final Instant TS = Instant.parse("2026-11-30T08:00:00Z");
    static final Document FLAG = new Document(BY, "ann").append(AT, new Date()).append(REASON, "oxygen concentrator");

    static Document meter(String status, String fault) {
        Document latest = new Document(TS_FIELD, Date.from(TS)).append(ENERGY_KWH, 1.0);
        if (status != null) {
            latest.append(STATUS, status);
        }
        if (fault != null) {
            latest.append(FAULT, fault);
        }
        return new Document(ID, "m-1").append(LATEST, latest);
    }

    static final String TS_FIELD = dev.ims.model.storage.StoreSchema.TS;

    @Test
    void interlock_ofAFaultyMeterWithATamperAlarm_namesBothCauses() {
        Interlock i = Interlock.of(meter("FAULT", "E42"), new Document(ID, "TAMPER/m-1"));
        assertThat(i.active()).isTrue();
        assertThat(i.faultCode()).isEqualTo("E42");
        assertThat(i.faultAt()).isEqualTo(TS);
        assertThat(i.alarmId()).isEqualTo("TAMPER/m-1");
        assertThat(i.describe()).contains("E42").contains("TAMPER/m-1");
        assertThat(i.view()).containsEntry(ALARM_ID, "TAMPER/m-1");
        assertThat(i.view().get(FAULT)).isEqualTo(java.util.Map.of("code", "E42", AT, TS.toString()));
    }

    @Test
    void interlock_ofAMeterReportingOk_withoutAlarm_isInactive_andAFaultWithoutCodeStillCounts() {
        assertThat(Interlock.of(meter("OK", null), null).active()).isFalse();
        assertThat(Interlock.of(new Document(ID, "m-1"), null).active()).isFalse();
        Interlock noCode = Interlock.of(meter("FAULT", null), null);
        assertThat(noCode.active()).isTrue();
        assertThat(noCode.faultCode()).isNull();
        assertThat(noCode.view().get(ALARM_ID)).isNull();
        assertThat(Interlock.of(meter("OK", null), new Document(ID, "TAMPER/m-1")).active()).isTrue();
    }

    @ParameterizedTest(name = "{0} fault={1} tamper={2} flagged={3} override={4} -> {5}")
    @CsvSource({
            "ON, false, false, false, , Proceed",
            "ON, true, false, false, , Refused",
            "ON, false, true, false, , Refused",
            "ON, true, true, true, , Refused",
            "ON, true, false, false, field engineer checked the meter, Proceed",
            "ON, false, true, true, tamper seal replaced, Proceed",
            "ON, false, false, true, , Proceed",
            "OFF, false, false, false, , Proceed",
            "OFF, true, true, false, , Proceed",
            "OFF, false, false, true, , NeedsApproval",
            "OFF, false, false, true, an override does not skip approval, NeedsApproval"})
    void decision_followsInterlockAndFlag(RelayState relay, boolean fault, boolean tamper, boolean flagged, String override, String expected) {
        Interlock interlock = Interlock.of(meter(fault ? "FAULT" : "OK", fault ? "E1" : null), tamper ? new Document(ID, "TAMPER/m-1") : null);
        RelayPolicy.Decision d = RelayPolicy.decide(relay, interlock, flagged ? FLAG : null, override);
        assertThat(d.getClass().getSimpleName()).isEqualTo(expected);
        if (d instanceof RelayPolicy.Proceed p) {
            // An override is recorded only when it set an interlock aside.
            assertThat(p.overridden() != null).isEqualTo(relay == RelayState.ON && (fault || tamper));
        }
        if (d instanceof RelayPolicy.NeedsApproval n) {
            assertThat(n.flag()).isSameAs(FLAG);
        }
    }
}
