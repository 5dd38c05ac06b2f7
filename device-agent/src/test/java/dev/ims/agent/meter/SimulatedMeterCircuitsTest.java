package dev.ims.agent.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.agent.load.EvCharger;
import dev.ims.agent.load.Fridge;
import dev.ims.agent.load.HeatPump;
import dev.ims.agent.load.HomeCircuits;
import dev.ims.agent.load.SolarModel;
import dev.ims.agent.load.WashingMachine;
import dev.ims.agent.load.WaterHeater;
import dev.ims.client.circuit.CircuitState;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimulatedMeterCircuitsTest {

    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final Instant START = LocalDate.parse("2026-01-12").atStartOfDay(ZONE).toInstant();

    private static MeterState state(long seed) {
        return new MeterState("IMS-CIRC-1", "ABCDE-FGHJK", null, 0, 1000.0, START, RelayState.ON, 150, seed, null);
    }

    /** A seed whose home has an EV and a heat pump, and is (or is not) a prosumer. */
    private static long fullHome(boolean prosumer) {
        long seed = 0;
        while (HomeCircuits.forMeter(seed, ZONE).get(EvCharger.ID) == null || HomeCircuits.forMeter(seed, ZONE).get(HeatPump.ID) == null
                || SolarModel.forMeter(seed, ZONE).isPresent() != prosumer) {
            seed++;
        }
        return seed;
    }

    @ParameterizedTest(name = "prosumer {0}, every {1} s")
    @CsvSource({"false, 900", "false, 10", "true, 900", "true, 60"})
    void totalRegister_isTheRestOfTheHouse_plusEveryCircuit(boolean prosumer, long stepSeconds) {
        long seed = fullHome(prosumer);
        Instant from = prosumer ? LocalDate.parse("2026-06-20").atStartOfDay(ZONE).toInstant() : START;
        MeterState s = state(seed);
        s = new MeterState(s.meterId(), s.claimCode(), null, 0, 1000.0, from, RelayState.ON, 150, seed, null);
        SimulatedMeter withCircuits = new SimulatedMeter(s, ZONE, 0);
        SimulatedMeter restOnly = new SimulatedMeter(s, ZONE, 0, null, HomeCircuits.none()); // the same household random stream
        Reading first = withCircuits.read(from);
        restOnly.read(from);
        Reading last = first;
        long steps = Duration.ofDays(stepSeconds >= 900 ? 2 : 1).toSeconds() / stepSeconds;
        for (long i = 1; i <= steps; i++) {
            Instant t = from.plusSeconds(i * stepSeconds);
            last = withCircuits.read(t);
            restOnly.read(t);
            assertThat(last.circuits()).hasSize(5);
            double circuitsW = last.circuits().stream().mapToDouble(CircuitReading::powerW).sum();
            assertThat(last.powerW() - (last.exportPowerW() == null ? 0 : last.exportPowerW())).as("power now includes the circuits'")
                    .isGreaterThanOrEqualTo(circuitsW - (prosumer ? 10_000 : 0) - 1e-6);
        }
        double circuitsKwh = withCircuits.state().circuits().values().stream().mapToDouble(CircuitState::energyKwh).sum();
        double net = net(withCircuits.state());
        double restNet = net(restOnly.state());
        assertThat(net).as("import - export with circuits = without them + the circuits' registers")
                .isCloseTo(restNet + circuitsKwh, Offset.offset(1e-6));
        assertThat(circuitsKwh).as("the circuits drew something").isGreaterThan(1.0);
        // As published (each register to the Wh).
        double publishedCircuits = 0;
        for (CircuitReading c : last.circuits()) {
            publishedCircuits += c.energyKwh() - first.circuit(c.id()).energyKwh();
        }
        assertThat(publishedCircuits).isCloseTo(circuitsKwh, Offset.offset(0.005));
        assertThat(last.energyKwh() - first.energyKwh()).isGreaterThanOrEqualTo(prosumer ? 0 : publishedCircuits - 0.001);
    }

    private static double net(MeterState s) {
        return s.energyKwh() - 1000 - (s.exportKwh() == null ? 0 : s.exportKwh());
    }

    @Test
    void readings_carryEachCircuit_withTheRelayOnlyWhereThereIsOne() {
        SimulatedMeter meter = new SimulatedMeter(state(fullHome(false)), ZONE, 0);
        meter.read(START);
        Reading r = meter.read(START.plusSeconds(900));
        assertThat(r.circuits()).extracting(CircuitReading::id)
                .containsExactly(WaterHeater.ID, Fridge.ID, WashingMachine.ID, EvCharger.ID, HeatPump.ID);
        assertThat(r.circuit(WashingMachine.ID).relay()).isNull();
        assertThat(r.circuit(WaterHeater.ID).relay()).isEqualTo(RelayState.ON);
        assertThat(meter.circuits()).extracting(i -> i.id()).containsExactly(WaterHeater.ID, Fridge.ID, WashingMachine.ID,
                EvCharger.ID, HeatPump.ID);
        assertThat(meter.circuitRelay(WashingMachine.ID)).isNull();
    }

    @Test
    void switchCircuit_savesTheRelayBeforeReturning_andTheMeterResumesWithIt(@TempDir Path dir) {
        Path file = dir.resolve("m.json");
        SimulatedMeter meter = new SimulatedMeter(state(fullHome(false)), ZONE, 0, file);
        meter.read(START);
        assertThat(meter.switchCircuit(WaterHeater.ID, RelayState.OFF)).isEqualTo(RelayState.OFF);
        assertThat(MeterStateFile.load(file).circuits().get(WaterHeater.ID).relay()).isEqualTo(RelayState.OFF);
        assertThat(MeterStateFile.load(file).relay()).as("the supply relay untouched").isEqualTo(RelayState.ON);

        SimulatedMeter resumed = new SimulatedMeter(MeterStateFile.load(file), ZONE, 0, file);
        assertThat(resumed.circuitRelay(WaterHeater.ID)).isEqualTo(RelayState.OFF);
        Reading a = resumed.read(START.plusSeconds(60));
        Reading b = a;
        for (int i = 1; i <= 96; i++) {
            b = resumed.read(START.plusSeconds(60 + 900L * i));
            assertThat(b.circuit(WaterHeater.ID).powerW()).isZero();
            assertThat(b.circuit(WaterHeater.ID).relay()).isEqualTo(RelayState.OFF);
        }
        assertThat(b.circuit(WaterHeater.ID).energyKwh()).isEqualTo(a.circuit(WaterHeater.ID).energyKwh());

        resumed.switchCircuit(WaterHeater.ID, RelayState.ON);
        Reading c = resumed.read(START.plusSeconds(60 + 900L * 97));
        assertThat(c.circuit(WaterHeater.ID).powerW()).as("a day's deficit: heats at once").isPositive();
    }

    @Test
    void switchCircuit_refusesCriticalUnswitchableAndUnknownCircuits_andSavesNothing(@TempDir Path dir) {
        Path file = dir.resolve("m.json");
        SimulatedMeter meter = new SimulatedMeter(state(fullHome(false)), ZONE, 0, file);
        assertThatThrownBy(() -> meter.switchCircuit(Fridge.ID, RelayState.OFF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("critical");
        assertThatThrownBy(() -> meter.switchCircuit(WashingMachine.ID, RelayState.OFF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no relay");
        assertThatThrownBy(() -> meter.switchCircuit("sauna", RelayState.OFF))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown");
        assertThat(dir.toFile().list()).isEmpty();
        assertThat(meter.circuitRelay(Fridge.ID)).isEqualTo(RelayState.ON);
    }

    @Test
    void withTheSupplyRelayOff_everyCircuitDrawsNothing() {
        SimulatedMeter meter = new SimulatedMeter(state(fullHome(false)), ZONE, 0);
        meter.read(START);
        meter.switchRelay(RelayState.OFF);
        Reading a = meter.read(START.plusSeconds(900));
        Reading b = meter.read(START.plus(Duration.ofHours(12)));
        assertThat(b.circuits()).allSatisfy(c -> assertThat(c.powerW()).isZero());
        assertThat(b.powerW()).isZero();
        for (CircuitReading c : b.circuits()) {
            assertThat(c.energyKwh()).isEqualTo(a.circuit(c.id()).energyKwh());
        }
    }

    @Test
    void scheduleRunning_isReportedInTheReadings_untilCleared() {
        SimulatedMeter meter = new SimulatedMeter(state(fullHome(false)), ZONE, 0);
        meter.scheduleRunning(WaterHeater.ID, "cmd-42");
        assertThat(meter.read(START).circuit(WaterHeater.ID).schedule()).isEqualTo("cmd-42");
        meter.scheduleRunning(WaterHeater.ID, null);
        assertThat(meter.read(START.plusSeconds(60)).circuit(WaterHeater.ID).schedule()).isNull();
        assertThatThrownBy(() -> meter.scheduleRunning("sauna", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStateFileFromBeforeCircuits_startsEveryCircuitAtZero_withItsRelayOn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("old.json");
        java.nio.file.Files.writeString(file, """
                {"meterId":"IMS-OLD-1","claimCode":"ABCDE-FGHJK","claimVerifier":null,"nextSeq":5,"energyKwh":12.5,
                 "lastTs":"2026-01-12T00:00:00Z","relay":"ON","baseLoadW":150,"seed":3,"brokerSecret":null}""");
        MeterState old = MeterStateFile.load(file);
        assertThat(old.circuits()).isEmpty();
        SimulatedMeter meter = new SimulatedMeter(old, ZONE, 0, file);
        assertThat(meter.state().circuits()).containsKeys(WaterHeater.ID, Fridge.ID, WashingMachine.ID);
        assertThat(meter.state().circuits().get(WaterHeater.ID)).isEqualTo(CircuitState.fresh());
    }
}
