package dev.ims.bridge;

import com.pi4j.context.Context;
import dev.ims.client.circuit.CircuitState;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.RelayState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's circuits ({@code --circuits}): each measured by its own source (a Modbus unit on the RS485 bus, or S0
 * pulses on a GPIO), each switchable one with its own GPIO relay, fail-safe like the supply relay: driven at start to
 * the state saved before its last switch (a critical circuit's relay: ON), held when the bridge stops.
 *
 * <p>Not thread-safe on its own: {@link PiMeter} calls it under its lock.
 */
final class PiCircuits implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PiCircuits.class);

    /** One circuit as the bridge runs it. */
    private static final class Circuit {
        final CircuitSpec spec;
        final EnergySource source;
        final RelayOutput relay;
        final AtomicLong failures = new AtomicLong();
        boolean refusing;

        Circuit(CircuitSpec spec, EnergySource source, RelayOutput relay) {
            this.spec = spec;
            this.source = source;
            this.relay = relay;
        }
    }

    /** What one reading of the circuits gives: their values (those that could be read) and their state to keep. */
    record Values(List<CircuitReading> readings, Map<String, CircuitState> state) {}

    private final Map<String, Circuit> circuits = new LinkedHashMap<>();

    /**
     * Opens each circuit's relay at the state {@code saved} holds (see {@link #initialState}).
     *
     * @param sources each circuit's measurement, by circuit id (every spec has one)
     */
    PiCircuits(Context pi4j, List<CircuitSpec> specs, Map<String, EnergySource> sources, Map<String, CircuitState> saved) {
        for (CircuitSpec s : specs) {
            EnergySource source = sources.get(s.id());
            if (source == null) {
                throw new IllegalArgumentException("circuit " + s.id() + " has no measurement source");
            }
            RelayOutput relay = null;
            if (s.relay() != null) {
                RelayState initial = saved.getOrDefault(s.id(), CircuitState.fresh()).relay();
                relay = new RelayOutput(pi4j, s.relay().pin(), s.relay().activeLow(), s.relay().feedbackPin(),
                        s.critical() ? RelayState.ON : initial, null, "circuit " + s.id() + " relay");
            }
            circuits.put(s.id(), new Circuit(s, source, relay));
        }
    }

    /** None: a bridge measuring only the whole house. */
    static PiCircuits none() {
        return new PiCircuits(null, List.of(), Map.of(), Map.of());
    }

    /**
     * The circuits' state to save before their relays are opened: what {@code saved} kept for each circuit in the file
     * (new ones: relay ON, register 0), a critical circuit's relay ON; circuits no longer in the file are dropped.
     */
    static Map<String, CircuitState> initialState(List<CircuitSpec> specs, Map<String, CircuitState> saved) {
        Map<String, CircuitState> out = new LinkedHashMap<>();
        for (CircuitSpec s : specs) {
            CircuitState c = saved.getOrDefault(s.id(), CircuitState.fresh());
            out.put(s.id(), s.critical() || s.relay() == null ? c.withRelay(RelayState.ON) : c);
        }
        return out;
    }

    boolean isEmpty() {
        return circuits.isEmpty();
    }

    List<CircuitInfo> infos() {
        return circuits.values().stream().map(c -> c.spec.info()).toList();
    }

    /** The circuit, or null when there is none of that id. */
    CircuitSpec spec(String id) {
        Circuit c = circuits.get(id);
        return c == null ? null : c.spec;
    }

    /** The circuit's relay as measured (feedback, else the output pin), or null without a relay or circuit. */
    RelayState relayState(String id) {
        Circuit c = circuits.get(id);
        return c == null || c.relay == null ? null : c.relay.state();
    }

    /** Drives the circuit's relay (the caller saved the state first) and answers the state measured afterwards. */
    RelayState switchRelay(String id, RelayState wanted) {
        return circuits.get(id).relay.switchTo(wanted);
    }

    /**
     * Reads every circuit now. A circuit whose source gives nothing, or whose register is lower than the one last
     * published ({@code last}, from the state file) or higher by more than {@link PiMeter#MAX_POWER_KW} over the time
     * since {@code lastTs}, has no value in this reading; it is counted ({@code circuit.<id>.failures}), and a run of
     * refused registers is logged once (the source logs its own outages once). A circuit whose register is still 0 in the
     * state (new) takes its first value as it comes.
     *
     * @param lastTs the meter's previous reading, or null (S0 power is averaged since it; the jump bound counts from it)
     * @param schedules the schedule each circuit runs, by id
     */
    Values read(Instant now, Instant lastTs, Map<String, CircuitState> last, Map<String, String> schedules) {
        List<CircuitReading> readings = new ArrayList<>();
        Map<String, CircuitState> state = new LinkedHashMap<>(last);
        double hours = lastTs == null ? 0 : Math.max(0, Duration.between(lastTs, now).toMillis()) / 3_600_000.0;
        for (Circuit c : circuits.values()) {
            String id = c.spec.id();
            CircuitState before = state.getOrDefault(id, CircuitState.fresh());
            EnergySource.Measurement m;
            try {
                m = c.source.measure(now, before.energyKwh(), lastTs);
            } catch (RuntimeException e) {
                LOG.warn("Circuit {}: measurement failed: {}", id, e.toString());
                m = null;
            }
            if (m == null) {
                c.failures.incrementAndGet();
                continue;
            }
            String refusal = null;
            if (m.energyKwh() < before.energyKwh()) {
                refusal = "register " + m.energyKwh() + " kWh refused: the last one published was " + before.energyKwh() + " kWh (it may never go down)";
            } else if (before.energyKwh() > 0 && lastTs != null
                    && m.energyKwh() > before.energyKwh() + PiMeter.MAX_POWER_KW * hours + PiMeter.JUMP_SLACK_KWH) {
                refusal = "register " + m.energyKwh() + " kWh refused: the last one published was " + before.energyKwh() + " kWh (more than "
                        + PiMeter.MAX_POWER_KW + " kW on average since)";
            }
            if (refusal != null) {
                c.failures.incrementAndGet();
                if (!c.refusing) {
                    c.refusing = true;
                    LOG.warn("Circuit {}: {}; its values are left out until the register is plausible again (a replaced meter needs its entry"
                            + " removed from the state file)", id, refusal);
                }
                continue;
            }
            if (c.refusing) {
                c.refusing = false;
                LOG.info("Circuit {}: register plausible again at {} kWh", id, m.energyKwh());
            }
            double powerW = m.powerW() == null ? 0 : Math.max(0, m.powerW());
            readings.add(new CircuitReading(id, powerW, m.energyKwh(), c.relay == null ? null : c.relay.state(), schedules.get(id)));
            state.put(id, new CircuitState(before.relay(), m.energyKwh(), before.model()));
        }
        return new Values(readings, state);
    }

    /** {@code circuit.<id>.failures}: readings in which the circuit had no value (its read failed, or its register was refused). */
    Map<String, Long> counters() {
        Map<String, Long> out = new LinkedHashMap<>();
        circuits.forEach((id, c) -> out.put("circuit." + id + ".failures", c.failures.get()));
        return Collections.unmodifiableMap(out);
    }

    /** One line for the start-up log. */
    String describe() {
        List<String> parts = new ArrayList<>();
        for (Circuit c : circuits.values()) {
            CircuitSpec s = c.spec;
            parts.add(s.id() + " (" + c.source + (s.relay() == null ? ", no relay" : ", relay " + c.relay.state() + " on GPIO " + s.relay().pin()
                    + (s.relay().feedbackPin() >= 0 ? " with feedback on GPIO " + s.relay().feedbackPin() : ""))
                    + (s.critical() ? ", critical" : "") + ")");
        }
        return String.join(", ", parts);
    }

    /** Stops measuring; the relays hold their state. */
    @Override
    public void close() {
        for (Circuit c : circuits.values()) {
            try {
                c.source.close();
            } catch (RuntimeException e) {
                LOG.debug("Circuit {} source close: {}", c.spec.id(), e.toString());
            }
        }
    }
}
