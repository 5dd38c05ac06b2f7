package dev.ims.agent.meter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.agent.load.HomeCircuits;
import dev.ims.agent.load.LoadModel;
import dev.ims.agent.load.SolarModel;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
            double flowW = r.powerW() + (r.exportPowerW() == null ? 0 : r.exportPowerW());
            assertThat(r.currentA()).isCloseTo(flowW / r.voltageV(), org.assertj.core.data.Offset.offset(0.01));
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

    // ---- prosumers

    private static final ZoneId BERLIN = ZONE;

    /** The first seed from {@code from} on whose meter has (or lacks) solar panels. */
    private static long seed(boolean prosumer, long from) {
        long seed = from;
        while (SolarModel.forMeter(seed, BERLIN).isPresent() != prosumer) {
            seed++;
        }
        return seed;
    }

    private static MeterState state(long seed, Instant start) {
        return new MeterState("IMS-SUN-1", "ABCDE-FGHJK", null, 0, 1000.0, start, RelayState.ON, 150, seed, null);
    }

    @Test
    void meterWithoutPanels_carriesNoExport() {
        SimulatedMeter meter = new SimulatedMeter(state(seed(false, 100), START), ZONE, 0);
        assertThat(meter.solar()).isEmpty();
        for (int i = 1; i <= 96; i++) {
            Reading r = meter.read(START.plus(Duration.ofMinutes(15L * i)).plus(Duration.ofDays(170)));
            assertThat(r.exportKwh()).isNull();
            assertThat(r.exportPowerW()).isNull();
        }
        assertThat(meter.state().exportKwh()).isNull();
    }

    @Test
    void prosumer_exportsOnlyByDay_importOrExportPowerIsZero_andRegistersNeverDecrease_overAYear() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        SimulatedMeter meter = new SimulatedMeter(state(seed(true, 100), start), ZONE, 0);
        SolarModel panels = meter.solar().orElseThrow();
        Reading last = meter.read(start);
        assertThat(last.exportKwh()).isZero();
        double nightExport = 0;
        for (int i = 1; i <= 365 * 96; i++) {
            Instant t = start.plus(Duration.ofMinutes(15L * i));
            Reading r = meter.read(t);
            assertThat(r.energyKwh()).isGreaterThanOrEqualTo(last.energyKwh());
            assertThat(r.exportKwh()).isGreaterThanOrEqualTo(last.exportKwh());
            assertThat(r.powerW()).isGreaterThanOrEqualTo(0.0);
            assertThat(r.exportPowerW()).isGreaterThanOrEqualTo(0.0);
            assertThat(r.powerW() == 0 || r.exportPowerW() == 0).as("import and export at once at %s", t).isTrue();
            if (panels.clearSkyW(t) == 0) {
                assertThat(r.exportPowerW()).as("export at night, %s", t).isZero();
                if (panels.clearSkyW(t.minus(Duration.ofMinutes(15))) == 0) {
                    nightExport += r.exportKwh() - last.exportKwh();
                }
            }
            last = r;
        }
        assertThat(nightExport).isZero();
        double exported = last.exportKwh();
        assertThat(exported).as("a year's export in kWh").isBetween(800.0, 8000.0);
        assertThat(last.energyKwh() - 1000).as("a year's import in kWh").isBetween(800.0, 8000.0);
    }

    @ParameterizedTest(name = "{0}, every {1} s")
    @CsvSource({"2026-06-21, 900", "2026-06-21, 10", "2026-12-21, 60", "2026-04-02, 300"})
    void prosumer_overADay_importMinusExport_isConsumptionMinusSolar(String day, long stepSeconds) {
        Instant midnight = java.time.LocalDate.parse(day).atStartOfDay(ZONE).toInstant();
        // Without circuits: the readings' instantaneous powers integrate to the registers only for the rest of the
        // household (circuits are integrated minute by minute; CircuitsTest proves their sum).
        SimulatedMeter meter = new SimulatedMeter(state(seed(true, 500), midnight), ZONE, 0, null, HomeCircuits.none());
        Reading first = meter.read(midnight);
        Reading prev = first;
        double netKwh = 0; // the net flow the readings report, integrated as the mean of two readings times the time between
        boolean exported = false;
        double sunniestW = 0;
        for (Instant t = midnight.plusSeconds(stepSeconds); !t.isAfter(midnight.plus(Duration.ofDays(1))); t = t.plusSeconds(stepSeconds)) {
            Reading r = meter.read(t);
            double netPrev = prev.powerW() - prev.exportPowerW();
            double net = r.powerW() - r.exportPowerW();
            netKwh += (netPrev + net) / 2 * stepSeconds / 3_600_000.0;
            exported |= r.exportPowerW() > 0;
            sunniestW = Math.max(sunniestW, meter.solar().orElseThrow().powerW(t));
            prev = r;
        }
        double registers = (prev.energyKwh() - first.energyKwh()) - (prev.exportKwh() - first.exportKwh());
        assertThat(registers).isCloseTo(netKwh, org.assertj.core.data.Offset.offset(0.002)); // published to the Wh
        if (sunniestW > 2000) {
            assertThat(exported).as("2 kW of sun exceed a household's day-time load at some point").isTrue();
        }
        assertThat(meter.state().energyKwh() - meter.state().exportKwh() - 1000)
                .isCloseTo(netKwh, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void prosumer_withTheRelayOff_neitherImportsNorExports() {
        Instant noon = Instant.parse("2026-06-21T11:00:00Z");
        SimulatedMeter meter = new SimulatedMeter(state(seed(true, 900), noon), ZONE, 0);
        meter.read(noon);
        meter.switchRelay(RelayState.OFF);
        Reading a = meter.read(noon.plusSeconds(60));
        Reading b = meter.read(noon.plusSeconds(3600));
        assertThat(b.powerW()).isZero();
        assertThat(b.exportPowerW()).isZero();
        assertThat(b.exportKwh()).isEqualTo(a.exportKwh());
        assertThat(b.energyKwh()).isEqualTo(a.energyKwh());
    }

    @Test
    void prosumer_resumesItsExportRegister_fromTheStateFile(@TempDir Path dir) {
        Instant noon = Instant.parse("2026-06-21T11:00:00Z");
        Path file = dir.resolve("sun.json");
        SimulatedMeter meter = new SimulatedMeter(state(seed(true, 1300), noon), ZONE, 0, file);
        Reading last = null;
        for (int i = 0; i <= 8; i++) {
            last = meter.read(noon.plus(Duration.ofMinutes(15L * i)));
        }
        meter.persist();
        assertThat(last.exportKwh()).isPositive();
        SimulatedMeter resumed = new SimulatedMeter(MeterStateFile.load(file), ZONE, 0, file);
        Reading next = resumed.read(noon.plus(Duration.ofMinutes(15 * 9)));
        assertThat(next.seq()).isEqualTo(last.seq() + 1);
        assertThat(next.exportKwh()).isGreaterThanOrEqualTo(last.exportKwh());
        assertThat(next.exportKwh() - last.exportKwh()).isLessThan(2.0);
    }

    @Test
    void liveInterval_ofTenSeconds_stillCountsTheBaseLoad() {
        // 10 s at about 150 W is 0.4 Wh: the register must not lose it to rounding.
        Instant night = Instant.parse("2026-01-06T01:00:00Z");
        SimulatedMeter meter = new SimulatedMeter(state(seed(false, 2000), night), ZONE, 0, null, HomeCircuits.none());
        Reading first = meter.read(night);
        Reading r = first;
        for (int i = 1; i <= 360; i++) {
            r = meter.read(night.plusSeconds(10L * i));
        }
        assertThat(r.energyKwh() - first.energyKwh()).as("an hour of night-time load").isBetween(0.1, 0.6);
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
