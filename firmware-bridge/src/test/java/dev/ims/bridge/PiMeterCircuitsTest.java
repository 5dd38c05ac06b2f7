package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import dev.ims.client.circuit.CircuitState;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** PiMeter as a circuit device on mock GPIO: what it describes, switches, refuses and saves, and its readings' circuits. */
class PiMeterCircuitsTest {

    static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
    static final List<CircuitSpec> SPECS = List.of(
            new CircuitSpec("heater", "Water heater", CircuitKind.WATER_HEATER, false, new CircuitSpec.S0(22, 1_000, false),
                    new CircuitSpec.Relay(23, true, -1)),
            new CircuitSpec("fridge", "Fridge", CircuitKind.FRIDGE, true, new CircuitSpec.S0(24, 1_000, false), new CircuitSpec.Relay(25, false, -1)),
            new CircuitSpec("washer", "Washing machine", CircuitKind.WASHING_MACHINE, false, new CircuitSpec.S0(26, 1_000, false), null));

    @TempDir
    Path dir;

    Context pi4j;
    Path stateFile;
    PiMeter meter;

    @BeforeEach
    void meter() {
        pi4j = BridgeMain.mockContext();
        stateFile = dir.resolve("state").resolve("meter.json");
        MeterState state = MeterState.newMeter(100, null);
        // The heater was switched OFF before the last stop; the fridge's saved OFF (from when it was not critical) is overridden.
        Map<String, CircuitState> saved = Map.of("heater", new CircuitState(RelayState.OFF, 12.5, Map.of()),
                "fridge", new CircuitState(RelayState.OFF, 3.0, Map.of()), "gone", CircuitState.fresh());
        state = state.withCircuits(PiCircuits.initialState(SPECS, saved));
        MeterStateFile.save(stateFile, state);
        Map<String, EnergySource> sources = Map.of(
                "heater", new S0Source(new S0Counter(pi4j, 22, false, 0), 1_000),
                "fridge", new S0Source(new S0Counter(pi4j, 24, false, 0), 1_000),
                "washer", new S0Source(new S0Counter(pi4j, 26, false, 0), 1_000));
        meter = new PiMeter(stateFile, state, new S0Source(new S0Counter(pi4j, 17, false, 0), 1_000),
                new RelayOutput(pi4j, 27, false, -1, RelayState.ON), new PiCircuits(pi4j, SPECS, sources, state.circuits()));
    }

    @AfterEach
    void shutdown() {
        pi4j.shutdown();
    }

    @Test
    void describesItsCircuits_andDrivesTheirRelaysAsSaved_criticalOnes_ON() {
        assertThat(meter.circuits()).containsExactly(new CircuitInfo("heater", "Water heater", CircuitKind.WATER_HEATER, false, true),
                new CircuitInfo("fridge", "Fridge", CircuitKind.FRIDGE, true, true),
                new CircuitInfo("washer", "Washing machine", CircuitKind.WASHING_MACHINE, false, false));
        assertThat(pi4j.<DigitalOutput>io("relay-23").state()).as("active low: OFF is HIGH").isEqualTo(DigitalState.HIGH);
        assertThat(meter.circuitRelay("heater")).isEqualTo(RelayState.OFF);
        assertThat(meter.circuitRelay("fridge")).isEqualTo(RelayState.ON);
        assertThat(meter.circuitRelay("washer")).isNull();
        assertThat(meter.state().circuits()).containsOnlyKeys("heater", "fridge", "washer");
        assertThat(meter.state().circuits().get("fridge").relay()).isEqualTo(RelayState.ON);
    }

    @Test
    void switchCircuit_savesBeforeThePinChanges_andTheReadingReportsIt() {
        assertThat(meter.switchCircuit("heater", RelayState.ON)).isEqualTo(RelayState.ON);
        assertThat(pi4j.<DigitalOutput>io("relay-23").state()).isEqualTo(DigitalState.LOW);
        assertThat(MeterStateFile.load(stateFile).circuits().get("heater").relay()).isEqualTo(RelayState.ON);
        meter.scheduleRunning("heater", "sched-1");
        MockDigitalInput s0 = pi4j.io("s0-22");
        for (int i = 0; i < 5; i++) {
            s0.mockState(DigitalState.HIGH);
            s0.mockState(DigitalState.LOW);
        }
        meter.read(T0);
        Reading r = meter.read(T0.plusSeconds(36));
        assertThat(r.circuits()).extracting(c -> c.id() + " " + c.energyKwh() + " " + c.powerW() + " " + c.relay() + " " + c.schedule())
                .containsExactly("heater 12.505 0.0 ON sched-1", "fridge 3.0 0.0 ON null", "washer 0.0 0.0 null null");
        for (int i = 0; i < 10; i++) {
            s0.mockState(DigitalState.HIGH);
            s0.mockState(DigitalState.LOW);
        }
        // 10 Wh in 36 s: 1 kW.
        assertThat(meter.read(T0.plusSeconds(72)).circuits().get(0).powerW()).isEqualTo(1000.0);
        assertThat(MeterStateFile.load(stateFile).circuits().get("heater").energyKwh()).isEqualTo(12.515);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"fridge, critical", "washer, has no relay", "sauna, unknown circuit"})
    void switchCircuit_unknownCriticalOrWithoutRelay_isRefused_andNothingChanges(String circuit, String why) {
        assertThatThrownBy(() -> meter.switchCircuit(circuit, RelayState.OFF)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(why);
        assertThat(pi4j.<DigitalOutput>io("relay-25").state()).isEqualTo(DigitalState.HIGH);
        assertThat(MeterStateFile.load(stateFile).circuits().get("fridge").relay()).isEqualTo(RelayState.ON);
    }

    @Test
    void switchCircuit_whenTheStateCannotBeSaved_leavesThePin() throws Exception {
        Files.delete(stateFile);
        Files.delete(stateFile.getParent());
        Files.writeString(stateFile.getParent(), "not a folder");
        assertThatThrownBy(() -> meter.switchCircuit("heater", RelayState.ON)).isInstanceOf(UncheckedIOException.class);
        assertThat(pi4j.<DigitalOutput>io("relay-23").state()).isEqualTo(DigitalState.HIGH);
        assertThat(meter.circuitRelay("heater")).isEqualTo(RelayState.OFF);
    }

    @Test
    void supplyRelayOff_leavesTheCircuitRelaysAsTheyAre() {
        meter.switchRelay(RelayState.OFF);
        assertThat(meter.circuitRelay("fridge")).isEqualTo(RelayState.ON);
        assertThat(meter.circuitRelay("heater")).isEqualTo(RelayState.OFF);
        assertThat(meter.read(T0).circuits()).extracting(c -> c.relay()).containsExactly(RelayState.OFF, RelayState.ON, null);
    }
}
