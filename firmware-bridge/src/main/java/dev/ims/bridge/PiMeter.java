package dev.ims.bridge;

import dev.ims.agent.meter.MeterDevice;
import dev.ims.agent.meter.MeterState;
import dev.ims.agent.meter.MeterStateFile;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real meter: its register is the register it had at the last reading plus the S0 pulses counted
 * since, its power the average over the reading interval, its relay what {@link RelayOutput} measures.
 * The state file is written before a reading leaves, so a restart continues the register and the seq
 * (pulses that arrive while the bridge is down are not seen: the next reading's register is then low by
 * them; set {@code --start-kwh} from the meter's display after a long outage).
 */
public final class PiMeter implements MeterDevice {

    private final Path stateFile;
    private final S0Counter s0;
    private final RelayOutput relay;
    private final int pulsesPerKwh;
    private MeterState state;
    private long pulsesAtLastReading;

    public PiMeter(Path stateFile, MeterState state, S0Counter s0, RelayOutput relay, int pulsesPerKwh) {
        if (pulsesPerKwh <= 0) {
            throw new IllegalArgumentException("pulses per kWh must be positive");
        }
        this.stateFile = stateFile;
        this.state = state;
        this.s0 = s0;
        this.relay = relay;
        this.pulsesPerKwh = pulsesPerKwh;
        this.pulsesAtLastReading = s0.pulses();
    }

    /** Takes a reading now, saves the state, and returns the reading for the outbox. */
    public synchronized Reading read(Instant now) {
        long pulses = s0.pulses();
        long delta = pulses - pulsesAtLastReading;
        double kwh = Math.round((state.energyKwh() + delta / (double) pulsesPerKwh) * 10_000) / 10_000.0;
        Double powerW = null;
        if (state.lastTs() != null && now.isAfter(state.lastTs())) {
            double seconds = Duration.between(state.lastTs(), now).toNanos() / 1e9;
            powerW = Math.round(delta * 3_600_000.0 / pulsesPerKwh / seconds * 10) / 10.0;
        }
        RelayState r = relay.state();
        Reading reading = Reading.of(state.meterId(), state.nextSeq(), now, kwh, powerW, null, null, null, r);
        state = new MeterState(state.meterId(), state.claimCode(), state.claimVerifier(), state.nextSeq() + 1, kwh, now, r,
                state.baseLoadW(), state.seed());
        MeterStateFile.save(stateFile, state);
        pulsesAtLastReading = pulses;
        return reading;
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

    @Override
    public RelayState switchRelay(RelayState wanted) {
        return relay.switchTo(wanted);
    }
}
