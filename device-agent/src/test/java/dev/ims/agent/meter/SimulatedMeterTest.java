package dev.ims.agent.meter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.agent.load.LoadModel;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.reading.MeterStatus;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedMeterTest {

    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

    private static MeterState state(long seed) {
        return new MeterState("IMS-TEST-1", "ABCDE-FGHJK", null, 0, 1000.0, START, RelayState.ON, 150, seed, null);
    }

    @Test
    void register_neverDecreases_andSeqGrowsByOne_overAYear() {
        SimulatedMeter meter = new SimulatedMeter(state(1), ZONE, 0.01);
        double last = 0;
        for (int i = 1; i <= 365 * 96; i++) {
            Reading r = meter.read(START.plus(Duration.ofMinutes(15L * i)));
            assertThat(r.energyKwh()).isGreaterThanOrEqualTo(last);
            assertThat(r.seq()).isEqualTo(i - 1);
            last = r.energyKwh();
        }
        double perYear = last - 1000.0;
        assertThat(perYear).as("a household's yearly use in kWh").isBetween(1500.0, 8000.0);
    }

    @Test
    void faults_occurAtTheConfiguredRate_andNeverAtRateZero() {
        SimulatedMeter faulty = new SimulatedMeter(state(2), ZONE, 0.05);
        SimulatedMeter healthy = new SimulatedMeter(state(3), ZONE, 0);
        int faults = 0;
        int n = 20_000;
        for (int i = 1; i <= n; i++) {
            Instant t = START.plusSeconds(10L * i);
            Reading f = faulty.read(t);
            if (f.status() == MeterStatus.FAULT) {
                assertThat(f.fault()).isNotNull();
                faults++;
            }
            assertThat(healthy.read(t).status()).isEqualTo(MeterStatus.OK);
        }
        assertThat(faults / (double) n).isBetween(0.04, 0.06);
    }

    @Test
    void current_isPowerOverVoltage() {
        SimulatedMeter meter = new SimulatedMeter(state(4), ZONE, 0);
        for (int i = 1; i < 500; i++) {
            Reading r = meter.read(START.plusSeconds(60L * i));
            assertThat(r.currentA()).isCloseTo(r.powerW() / r.voltageV(), org.assertj.core.data.Offset.offset(0.01));
            assertThat(r.voltageV()).isBetween(215.0, 245.0);
        }
    }

    @Test
    void relayOff_stopsTheRegister_andReportsZeroPower() {
        SimulatedMeter meter = new SimulatedMeter(state(5), ZONE, 0);
        meter.read(START.plusSeconds(60));
        meter.switchRelay(RelayState.OFF);
        Reading a = meter.read(START.plusSeconds(120));
        Reading b = meter.read(START.plusSeconds(3600));
        assertThat(b.powerW()).isZero();
        assertThat(b.relay()).isEqualTo(RelayState.OFF);
        assertThat(b.energyKwh()).isEqualTo(a.energyKwh());
    }

    @Test
    void eveningPeak_isAboveNightTime() {
        LoadModel model = new LoadModel(150, ZONE, new Random(1));
        Instant night = Instant.parse("2026-01-06T02:00:00Z");
        Instant evening = Instant.parse("2026-01-06T18:30:00Z");
        assertThat(model.meanPowerW(evening)).isGreaterThan(model.meanPowerW(night) * 3);
        assertThat(model.meanPowerW(night)).isCloseTo(150, org.assertj.core.data.Offset.offset(30.0));
    }

    @Test
    void switchRelay_withAStateFile_savesTheNewStateBeforeReturning_whileWithoutOneNothingIsWritten(@TempDir Path dir) {
        Path file = dir.resolve("m.json");
        SimulatedMeter meter = new SimulatedMeter(state(6), ZONE, 0, file);
        assertThat(meter.switchRelay(RelayState.OFF)).isEqualTo(RelayState.OFF);
        assertThat(MeterStateFile.load(file).relay()).isEqualTo(RelayState.OFF);

        new SimulatedMeter(state(7), ZONE, 0).switchRelay(RelayState.OFF);
        assertThat(dir.toFile().list()).containsExactly("m.json");
    }
}
