package dev.ims.bridge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.ims.client.circuit.CircuitDevice;
import dev.ims.client.circuit.CircuitState;
import dev.ims.client.meter.MeterDevice;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import dev.ims.model.circuit.CircuitInfo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real meter: its measurements come from an {@link EnergySource} (S0 pulses or the P1 port), its relay
 * is what {@link RelayOutput} measures. The state file is written before a reading leaves, so a restart
 * continues the register and the seq.
 *
 * <p>The state file's {@code relay} is the state the bridge drives the output to (the last command
 * carried out), not the measured one: a welded contact must not turn a commanded OFF into ON after a
 * restart. Readings carry the measured state. A switch saves the new state (forced to the disk) before
 * the pin changes, so the pin never holds a state the file does not record.
 *
 * <p>Its circuits ({@link PiCircuits}, from {@code --circuits}) are read in the same tick, after the meter, and go out
 * in the same reading ({@code circuits}); a circuit that cannot be read is left out of that reading only. Their relays
 * follow the supply relay's rules: the commanded state is saved in the state file ({@code circuits.<id>.relay}, forced
 * to the disk) before the pin changes. With the supply relay OFF the circuit relays stay as they are (the supply cuts
 * them anyway) and readings report what is measured.
 */
public final class PiMeter implements MeterDevice, CircuitDevice {

    private final Path stateFile;
    private final EnergySource source;
    private static final Logger LOG = LoggerFactory.getLogger(PiMeter.class);

    private final RelayOutput relay;
    private final PiCircuits circuits;
    /** The schedule each circuit runs, as the schedule runner reports it; not kept here across restarts (the runner keeps it). */
    private final Map<String, String> schedules = new ConcurrentHashMap<>();
    private MeterState state;

    /** Without circuits. */
    public PiMeter(Path stateFile, MeterState state, EnergySource source, RelayOutput relay) {
        this(stateFile, state, source, relay, PiCircuits.none());
    }

    /** @param state the state as saved, its circuits' already as {@link PiCircuits#initialState} makes them */
    PiMeter(Path stateFile, MeterState state, EnergySource source, RelayOutput relay, PiCircuits circuits) {
        this.stateFile = stateFile;
        this.state = state;
        this.source = source;
        this.relay = relay;
        this.circuits = circuits;
    }

    /**
     * The highest average power a meter's connection can draw, as the ingest's default ({@code INGEST_MAX_POWER_KW}):
     * a register growing faster than this since the last published one is a damaged or foreign value.
     */
    static final double MAX_POWER_KW = 100;
    /** Rounding headroom of the jump bound, as the ingest's. */
    static final double JUMP_SLACK_KWH = 0.01;

    /** Measurements refused because the register went backwards or jumped; for the status and logs. */
    private long refusedRegisters;
    private boolean refusing;

    /**
     * Takes a reading now and saves the state; null when the source has nothing to report yet, or when a register
     * cannot be right: lower than the last one published (kept in the state file, so also across restarts), or
     * higher by more than {@link #MAX_POWER_KW} over the time since. The import register and, when the meter reports
     * one, the export register are guarded alike. Such a measurement is never published; the first of a run is
     * logged, and the return to valid values.
     *
     * <p>A measurement without the export register (a source that cannot tell) is published without it and keeps
     * the last export register in the state for the next one that carries it; its bound is then counted from the
     * last reading, so a register that grew meanwhile may be held back until enough time has passed for it.
     */
    public synchronized Reading read(Instant now) {
        EnergySource.Measurement m = source.measure(now, state.energyKwh(), state.lastTs());
        if (m == null) {
            return null;
        }
        if (state.lastTs() != null) {
            double hours = Math.max(0, java.time.Duration.between(state.lastTs(), now).toMillis()) / 3_600_000.0;
            String refusal = implausible("register", m.energyKwh(), state.energyKwh(), hours);
            if (refusal == null && m.exportKwh() != null && state.exportKwh() != null) {
                refusal = implausible("export register", m.exportKwh(), state.exportKwh(), hours);
            }
            if (refusal != null) {
                refusedRegisters++;
                if (!refusing) {
                    refusing = true;
                    LOG.warn("Meter {} at {}; nothing is published until the registers are plausible again"
                            + " (a replaced meter needs a new state file)", refusal, state.lastTs());
                }
                return null;
            }
            if (refusing) {
                refusing = false;
                LOG.info("Meter registers plausible again at {} kWh{} after {} refused measurement(s)", m.energyKwh(),
                        m.exportKwh() == null ? "" : " (export " + m.exportKwh() + " kWh)", refusedRegisters);
            }
        }
        RelayState r = relay.state();
        Reading reading = Reading.of(state.meterId(), state.nextSeq(), now, m.energyKwh(), m.powerW(), m.voltageV(), m.currentA(), null, r)
                .withExport(m.exportKwh(), m.exportPowerW());
        Map<String, CircuitState> circuitState = state.circuits();
        if (!circuits.isEmpty()) {
            PiCircuits.Values values = circuits.read(now, state.lastTs(), state.circuits(), schedules);
            reading = reading.withCircuits(values.readings());
            circuitState = values.state();
        }
        state = state.afterReading(m.energyKwh(), m.exportKwh(), now).withCircuits(circuitState);
        MeterStateFile.save(stateFile, state);
        return reading;
    }

    /** Why {@code kwh} cannot follow {@code lastKwh} published {@code hours} ago, or null when it can. */
    private static String implausible(String register, double kwh, double lastKwh, double hours) {
        if (kwh < lastKwh) {
            return register + " " + kwh + " kWh refused: the last one published was " + lastKwh + " kWh (it may never go down)";
        }
        if (kwh > lastKwh + MAX_POWER_KW * hours + JUMP_SLACK_KWH) {
            return register + " " + kwh + " kWh refused: the last one published was " + lastKwh + " kWh (more than "
                    + MAX_POWER_KW + " kW on average since)";
        }
        return null;
    }

    /** Measurements refused since start because their register went backwards or jumped. */
    public synchronized long refusedRegisters() {
        return refusedRegisters;
    }

    public synchronized MeterState state() {
        return state;
    }

    @Override
    public String meterId() {
        return state.meterId();
    }

    @Override
    public synchronized String claimVerifier() {
        return state.claimVerifier();
    }

    @Override
    public RelayState relay() {
        return relay.state();
    }

    /** {@code circuit.<id>.failures} for each circuit. */
    Map<String, Long> circuitCounters() {
        return circuits.counters();
    }

    @Override
    public List<CircuitInfo> circuits() {
        return circuits.infos();
    }

    @Override
    public RelayState circuitRelay(String circuitId) {
        return circuits.relayState(circuitId);
    }

    /**
     * Saves the circuit's commanded relay state (forced to the disk), then drives its pin; answers the state measured
     * afterwards.
     *
     * @throws IllegalArgumentException the circuit is unknown, critical or has no relay
     * @throws java.io.UncheckedIOException the state cannot be saved: the pin is not touched
     */
    @Override
    public synchronized RelayState switchCircuit(String circuitId, RelayState wanted) {
        CircuitSpec spec = circuits.spec(circuitId);
        if (spec == null) {
            throw new IllegalArgumentException("unknown circuit '" + circuitId + "'");
        }
        if (spec.critical()) {
            throw new IllegalArgumentException("circuit '" + circuitId + "' is critical: never switched remotely");
        }
        if (spec.relay() == null) {
            throw new IllegalArgumentException("circuit '" + circuitId + "' has no relay");
        }
        Map<String, CircuitState> next = new HashMap<>(state.circuits());
        next.put(circuitId, next.getOrDefault(circuitId, CircuitState.fresh()).withRelay(wanted));
        MeterState saved = state.withCircuits(next);
        MeterStateFile.save(stateFile, saved);
        state = saved;
        return circuits.switchRelay(circuitId, wanted);
    }

    /** A schedule kept for a circuit no longer in the circuits file is not reported (the runner finds no relay to switch). */
    @Override
    public void scheduleRunning(String circuitId, String scheduleId) {
        if (circuits.spec(circuitId) == null) {
            return;
        }
        if (scheduleId == null) {
            schedules.remove(circuitId);
        } else {
            schedules.put(circuitId, scheduleId);
        }
    }

    @Override
    public synchronized RelayState switchRelay(RelayState wanted) {
        MeterState next = state.withRelay(wanted);
        MeterStateFile.save(stateFile, next);
        state = next;
        return relay.switchTo(wanted);
    }
}
