package dev.ims.agent.meter;

import dev.ims.agent.load.LoadModel;
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
import java.util.Random;

/**
 * A simulated meter. Each {@link #read(Instant)} advances the register by the power drawn since the
 * previous reading (so it never decreases) and returns the next reading. Not thread-safe: one thread
 * reads, commands are applied through {@link #switchRelay} from the same or a synchronized caller.
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
    private final double faultRate;
    private final Path stateFile;
    private MeterState state;
    private double lastPowerW;

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
        this.faultRate = faultRate;
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
        double power = on ? load.samplePowerW(now) : 0;
        double energy = state.energyKwh();
        if (state.lastTs() != null && now.isAfter(state.lastTs())) {
            long ms = Math.min(Duration.between(state.lastTs(), now).toMillis(), MAX_GAP.toMillis());
            double avg = on ? (lastPowerW > 0 ? (lastPowerW + power) / 2 : power) : 0;
            energy += avg * ms / 3_600_000_000.0;
        }
        energy = Math.round(energy * 1000) / 1000.0;
        energy = Math.max(energy, state.energyKwh());
        lastPowerW = power;
        double voltage = Math.round((230 + random.nextGaussian() * 2 - power * 0.0004) * 10) / 10.0;
        double current = Math.round(power / voltage * 100) / 100.0;
        FaultCode fault = faultRate > 0 && random.nextDouble() < faultRate
                ? FaultCode.values()[random.nextInt(FaultCode.values().length)]
                : null;
        Reading reading = Reading.of(state.meterId(), state.nextSeq(), now, energy, power, voltage, current, fault, state.relay());
        state = new MeterState(state.meterId(), state.claimCode(), state.claimVerifier(), state.nextSeq() + 1, energy, now, state.relay(),
                state.baseLoadW(), state.seed(), state.brokerSecret());
        return reading;
    }

    /**
     * Switches the supply relay; returns the state now measured. The new state is on disk (forced) before
     * the relay changes.
     *
     * @throws java.io.UncheckedIOException when the state file cannot be written; the relay is then unchanged
     */
    @Override
    public synchronized RelayState switchRelay(RelayState wanted) {
        MeterState next = new MeterState(state.meterId(), state.claimCode(), state.claimVerifier(), state.nextSeq(), state.energyKwh(),
                state.lastTs(), wanted, state.baseLoadW(), state.seed(), state.brokerSecret());
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
