package dev.ims.agent.meter;

import dev.ims.agent.load.LoadModel;
import dev.ims.agent.load.SolarModel;
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
import java.util.Optional;
import java.util.Random;

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
 * <p>With a state file, every change of the relay is saved (durably) before {@link #switchRelay} returns,
 * and {@link #persist} saves the rest; both under the meter's lock, so a save never writes an older relay
 * state over a newer one.
 */
public final class SimulatedMeter implements MeterDevice {

    /** Consumption is integrated over at most this gap, so a meter resumed after months does not jump. */
    static final Duration MAX_GAP = Duration.ofHours(1);

    private final Random random;
    private final LoadModel load;
    /** The meter's panels, or null when it has none. */
    private final SolarModel solar;
    private final double faultRate;
    private final Path stateFile;
    private MeterState state;
    /** The net flow (import positive, export negative) at the previous reading, or null when unknown (start, relay OFF). */
    private Double lastNetW;

    /** A meter kept in memory only (benchmarks and tests): nothing survives the process. */
    public SimulatedMeter(MeterState state, ZoneId zone, double faultRate) {
        this(state, zone, faultRate, null);
    }

    /** @param stateFile where the meter's state is saved, or null for none */
    public SimulatedMeter(MeterState state, ZoneId zone, double faultRate, Path stateFile) {
        this.stateFile = stateFile;
        this.state = state.withClaimVerifier().withBrokerSecret();
        this.random = new Random(state.seed() ^ state.nextSeq());
        this.load = new LoadModel(state.baseLoadW(), zone, random);
        this.solar = SolarModel.forMeter(state.seed(), zone).orElse(null);
        if (solar != null && this.state.exportKwh() == null) {
            this.state = this.state.withExportRegister(0.0); // a new prosumer, or one from before export
        }
        this.faultRate = faultRate;
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
        if (on && state.lastTs() != null && now.isAfter(state.lastTs())) {
            long ms = Math.min(Duration.between(state.lastTs(), now).toMillis(), MAX_GAP.toMillis());
            double meanW = lastNetW != null ? (lastNetW + netW) / 2 : netW;
            double kwh = meanW * ms / 3_600_000_000.0;
            if (kwh >= 0) {
                energy += kwh;
            } else if (export != null) {
                export -= kwh;
            }
        }
        lastNetW = on ? netW : null;
        double importW = Math.max(netW, 0);
        double voltage = Math.round((230 + random.nextGaussian() * 2 - netW * 0.0004) * 10) / 10.0;
        double current = Math.round(Math.abs(netW) / voltage * 100) / 100.0;
        FaultCode fault = faultRate > 0 && random.nextDouble() < faultRate
                ? FaultCode.values()[random.nextInt(FaultCode.values().length)]
                : null;
        Reading reading = Reading.of(state.meterId(), state.nextSeq(), now, toWh(energy), importW, voltage, current, fault, state.relay());
        if (solar != null) {
            reading = reading.withExport(toWh(export), Math.max(-netW, 0));
        }
        state = state.afterReading(energy, export, now);
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

    /** Saves the current state to the state file (if the meter has one). */
    public synchronized void persist() {
        if (stateFile != null) {
            MeterStateFile.save(stateFile, state);
        }
    }
}
