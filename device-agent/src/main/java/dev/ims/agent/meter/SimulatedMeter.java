package dev.ims.agent.meter;

import dev.ims.agent.load.Appliance;
import dev.ims.agent.load.HomeCircuits;
import dev.ims.agent.load.LoadModel;
import dev.ims.agent.load.SolarModel;
import dev.ims.client.circuit.CircuitDevice;
import dev.ims.client.circuit.CircuitState;
import dev.ims.client.meter.MeterDevice;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.reading.FaultCode;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitReading;

/**
 * A simulated meter. Each {@link #read(Instant)} advances the register by the power drawn since the
 * previous reading (so it never decreases) and returns the next reading. Not thread-safe: one thread
 * reads, commands are applied through {@link #switchRelay} from the same or a synchronized caller.
 *
 * <p>A prosumer (about one meter in four, by its seed: {@link SolarModel#forMeter}) has solar panels. Its
 * net flow at each reading is consumption minus solar output: a positive one is import ({@code powerW},
 * the import register grows), a negative one export ({@code exportPowerW}, the export register grows);
 * one of the two powers is always 0. Energy between two readings is the mean of their net flows times
 * the time between them, so the import register's growth minus the export register's equals the
 * household's consumption minus the panels' output. With the supply relay OFF the inverter is off too
 * (it needs the grid): no import, no export. Meters without panels carry no export fields.
 *
 * <p>The registers are kept to full precision in the state and published to the Wh, so short intervals
 * (a few Wh or less) are not lost to rounding.
 *
 * <p>Every meter has appliances on their own circuits ({@link HomeCircuits#forMeter}: by its seed). Each reading
 * carries their values; the meter's own register is the whole house: the rest of the household (the load model,
 * integrated as before) plus exactly the energy each circuit drew over the interval (its own register's growth), minus
 * solar output for a prosumer. A circuit draws only while its relay and the supply relay are ON; a deferrable appliance
 * (water heater, heat pump, EV) makes up later what it could not draw. The appliances use random numbers of their own,
 * so the rest of the household is the same whatever the circuits do.
 *
 * <p>With a state file, every change of the relay (the supply relay or a circuit's) is saved (durably) before
 * {@link #switchRelay} / {@link #switchCircuit} returns, and {@link #persist} saves the rest; all under the meter's
 * lock, so a save never writes an older relay state over a newer one.
 */
public final class SimulatedMeter implements MeterDevice, CircuitDevice {

    /** Consumption is integrated over at most this gap, so a meter resumed after months does not jump. */
    static final Duration MAX_GAP = Duration.ofHours(1);

    private final Random random;
    private final LoadModel load;
    /** The meter's panels, or null when it has none. */
    private final SolarModel solar;
    private final double faultRate;
    private final Path stateFile;
    private MeterState state;
    /** The rest of the household's net flow (import positive, export negative; circuits not included) at the previous reading, or null when unknown (start, relay OFF). */
    private Double lastNetW;
    private final HomeCircuits home;
    /** The schedule each circuit runs, as reported by {@link #scheduleRunning}; not kept across restarts. */
    private final Map<String, String> schedules = new HashMap<>();

    /** A meter kept in memory only (benchmarks and tests): nothing survives the process. */
    public SimulatedMeter(MeterState state, ZoneId zone, double faultRate) {
        this(state, zone, faultRate, null);
    }

    /** @param stateFile where the meter's state is saved, or null for none */
    public SimulatedMeter(MeterState state, ZoneId zone, double faultRate, Path stateFile) {
        this(state, zone, faultRate, stateFile, HomeCircuits.forMeter(state.seed(), zone));
    }

    /**
     * @param stateFile where the meter's state is saved, or null for none
     * @param home the appliances on the meter's circuits ({@link HomeCircuits#none()}: none)
     */
    public SimulatedMeter(MeterState state, ZoneId zone, double faultRate, Path stateFile, HomeCircuits home) {
        this.home = home;
        this.stateFile = stateFile;
        this.state = state.withClaimVerifier().withBrokerSecret();
        this.random = new Random(state.seed() ^ state.nextSeq());
        this.load = new LoadModel(state.baseLoadW(), zone, random);
        this.solar = SolarModel.forMeter(state.seed(), zone).orElse(null);
        if (solar != null && this.state.exportKwh() == null) {
            this.state = this.state.withExportRegister(0.0); // a new prosumer, or one from before export
        }
        this.faultRate = faultRate;
        Map<String, CircuitState> circuits = new HashMap<>();
        for (Appliance a : home.appliances()) {
            CircuitState c = this.state.circuits().getOrDefault(a.info().id(), CircuitState.fresh());
            a.restore(c.model());
            circuits.put(a.info().id(), c);
        }
        this.state = this.state.withCircuits(circuits); // circuits the home no longer has are dropped
    }

    /** The appliances on the meter's circuits. */
    public HomeCircuits home() {
        return home;
    }

    /** The meter's solar panels, if it is a prosumer. */
    public Optional<SolarModel> solar() {
        return Optional.ofNullable(solar);
    }

    public String meterId() {
        return state.meterId();
    }

    @Override
    public synchronized String claimVerifier() {
        return state.claimVerifier();
    }

    public synchronized MeterState state() {
        return state;
    }

    public synchronized RelayState relay() {
        return state.relay();
    }

    /** The next reading at {@code now}; {@code now} must not lie before the previous reading. */
    public synchronized Reading read(Instant now) {
        boolean on = state.relay() == RelayState.ON;
        double consumed = on ? load.samplePowerW(now) : 0;
        double produced = on && solar != null ? solar.powerW(now) : 0;
        double netW = Math.round((consumed - produced) * 10) / 10.0;
        double energy = state.energyKwh();
        Double export = state.exportKwh();
        boolean elapsed = state.lastTs() != null && now.isAfter(state.lastTs());
        // The circuits over the interval (at most MAX_GAP of it), each drawing only when its relay and the supply relay are ON.
        Instant from = !elapsed ? now : state.lastTs().isBefore(now.minus(MAX_GAP)) ? now.minus(MAX_GAP) : state.lastTs();
        Map<String, CircuitState> circuits = new HashMap<>(state.circuits());
        List<CircuitReading> circuitValues = new ArrayList<>(home.appliances().size());
        double circuitsKwh = 0;
        double circuitsW = 0;
        for (Appliance a : home.appliances()) {
            CircuitState c = circuits.get(a.info().id());
            boolean allowed = on && c.relay() == RelayState.ON;
            double kwh = a.advance(from, now, allowed);
            circuitsKwh += kwh;
            double w = Math.round(a.powerW() * 10) / 10.0;
            circuitsW += w;
            CircuitState next = new CircuitState(c.relay(), c.energyKwh() + kwh, a.model());
            circuits.put(a.info().id(), next);
            circuitValues.add(new CircuitReading(a.info().id(), w, toWh(next.energyKwh()),
                    a.info().switchable() ? c.relay() : null, schedules.get(a.info().id())));
        }
        if (on && elapsed) {
            long ms = Math.min(Duration.between(state.lastTs(), now).toMillis(), MAX_GAP.toMillis());
            double meanW = lastNetW != null ? (lastNetW + netW) / 2 : netW;
            double kwh = meanW * ms / 3_600_000_000.0 + circuitsKwh;
            if (kwh >= 0) {
                energy += kwh;
            } else if (export != null) {
                export -= kwh;
            }
        }
        lastNetW = on ? netW : null;
        double totalW = netW + circuitsW;
        double importW = Math.round(Math.max(totalW, 0) * 10) / 10.0;
        double voltage = Math.round((230 + random.nextGaussian() * 2 - totalW * 0.0004) * 10) / 10.0;
        double current = Math.round(Math.abs(totalW) / voltage * 100) / 100.0;
        FaultCode fault = faultRate > 0 && random.nextDouble() < faultRate
                ? FaultCode.values()[random.nextInt(FaultCode.values().length)]
                : null;
        Reading reading = Reading.of(state.meterId(), state.nextSeq(), now, toWh(energy), importW, voltage, current, fault, state.relay());
        if (solar != null) {
            reading = reading.withExport(toWh(export), Math.round(Math.max(-totalW, 0) * 10) / 10.0);
        }
        if (!circuitValues.isEmpty()) {
            reading = reading.withCircuits(circuitValues);
        }
        state = state.afterReading(energy, export, now).withCircuits(circuits);
        return reading;
    }

    /** A register as published: to the Wh. Rounding is monotone, so a register that never decreases still never does. */
    private static double toWh(double kwh) {
        return Math.round(kwh * 1000) / 1000.0;
    }

    /**
     * Switches the supply relay; returns the state now measured. The new state is on disk (forced) before
     * the relay changes.
     *
     * @throws java.io.UncheckedIOException when the state file cannot be written; the relay is then unchanged
     */
    @Override
    public synchronized RelayState switchRelay(RelayState wanted) {
        MeterState next = state.withRelay(wanted);
        if (stateFile != null) {
            MeterStateFile.save(stateFile, next);
        }
        state = next;
        return state.relay();
    }

    @Override
    public List<CircuitInfo> circuits() {
        return home.infos();
    }

    @Override
    public synchronized RelayState circuitRelay(String circuitId) {
        Appliance a = home.get(circuitId);
        return a == null || !a.info().switchable() ? null : state.circuits().get(circuitId).relay();
    }

    /**
     * Switches a circuit's relay; returns its state now measured. The new state is on disk (forced) before the relay
     * changes. The supply relay is not touched.
     *
     * @throws IllegalArgumentException the circuit is unknown, has no relay or is critical
     * @throws java.io.UncheckedIOException when the state file cannot be written; the relay is then unchanged
     */
    @Override
    public synchronized RelayState switchCircuit(String circuitId, RelayState wanted) {
        Appliance a = home.get(circuitId);
        if (a == null) {
            throw new IllegalArgumentException("unknown circuit '" + circuitId + "'");
        }
        if (a.info().critical()) {
            throw new IllegalArgumentException("circuit '" + circuitId + "' is critical: never switched remotely");
        }
        if (!a.info().switchable()) {
            throw new IllegalArgumentException("circuit '" + circuitId + "' has no relay");
        }
        if (wanted == null) {
            throw new IllegalArgumentException("a relay state is required");
        }
        Map<String, CircuitState> circuits = new HashMap<>(state.circuits());
        circuits.put(circuitId, circuits.get(circuitId).withRelay(wanted));
        MeterState next = state.withCircuits(circuits);
        if (stateFile != null) {
            MeterStateFile.save(stateFile, next);
        }
        state = next;
        return wanted;
    }

    @Override
    public synchronized void scheduleRunning(String circuitId, String scheduleId) {
        if (home.get(circuitId) == null) {
            throw new IllegalArgumentException("unknown circuit '" + circuitId + "'");
        }
        if (scheduleId == null) {
            schedules.remove(circuitId);
        } else {
            schedules.put(circuitId, scheduleId);
        }
    }

    /** Saves the current state to the state file (if the meter has one). */
    public synchronized void persist() {
        if (stateFile != null) {
            MeterStateFile.save(stateFile, state);
        }
    }
}
