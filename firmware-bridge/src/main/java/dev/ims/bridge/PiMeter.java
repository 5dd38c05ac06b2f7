package dev.ims.bridge;

import dev.ims.client.meter.MeterDevice;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A real meter: its measurements come from an {@link EnergySource} (S0 pulses or the P1 port), its relay
 * is what {@link RelayOutput} measures. The state file is written before a reading leaves, so a restart
 * continues the register and the seq.
 *
 * <p>The state file's {@code relay} is the state the bridge drives the output to (the last command
 * carried out), not the measured one: a welded contact must not turn a commanded OFF into ON after a
 * restart. Readings carry the measured state. A switch saves the new state (forced to the disk) before
 * the pin changes, so the pin never holds a state the file does not record.
 */
public final class PiMeter implements MeterDevice {

    private final Path stateFile;
    private final EnergySource source;
    private final RelayOutput relay;
    private MeterState state;

    public PiMeter(Path stateFile, MeterState state, EnergySource source, RelayOutput relay) {
        this.stateFile = stateFile;
        this.state = state;
        this.source = source;
        this.relay = relay;
    }

    /** Takes a reading now and saves the state; null when the source has nothing to report yet. */
    public synchronized Reading read(Instant now) {
        EnergySource.Measurement m = source.measure(now, state.energyKwh(), state.lastTs());
        if (m == null) {
            return null;
        }
        RelayState r = relay.state();
        Reading reading = Reading.of(state.meterId(), state.nextSeq(), now, m.energyKwh(), m.powerW(), m.voltageV(), m.currentA(), null, r);
        state = new MeterState(state.meterId(), state.claimCode(), state.claimVerifier(), state.nextSeq() + 1, m.energyKwh(), now,
                state.relay(), state.baseLoadW(), state.seed(), state.brokerSecret());
        MeterStateFile.save(stateFile, state);
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
    public synchronized RelayState switchRelay(RelayState wanted) {
        MeterState next = new MeterState(state.meterId(), state.claimCode(), state.claimVerifier(), state.nextSeq(), state.energyKwh(),
                state.lastTs(), wanted, state.baseLoadW(), state.seed(), state.brokerSecret());
        MeterStateFile.save(stateFile, next);
        state = next;
        return relay.switchTo(wanted);
    }
}
