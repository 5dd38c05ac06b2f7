package dev.ims.client.circuit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.json.Json;
import dev.ims.model.reading.RelayState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a meter's circuit schedules on the meter itself, so that they keep working with the network down: every
 * {@link #DEFAULT_TICK} (and at once on start and on a new schedule) it decides for each scheduled circuit whether it
 * may be ON ({@link Schedule#allowsOn}), counting the circuit's ON time per local day, and switches it through
 * {@link CircuitDevice#switchCircuit} when the measured relay differs, never twice within the minimum switch interval
 * (per circuit, across restarts; a switch a CIRCUIT command made counts too).
 *
 * <p>A CIRCUIT command while a schedule runs {@link #hold holds}: the schedule leaves the circuit as commanded until its
 * next boundary ({@link Schedule#nextBoundary}: a window opening or closing, or local midnight), then decides again.
 *
 * <p>State ({@code <state file>.schedules}, JSON, replaced atomically and forced to the disk): per circuit the schedule
 * and its command ID, the last switch, the ON time counted for the local day and any hold. Written before a command is
 * acknowledged, on every switch, and while a capped circuit is ON (its count matters). Thread-safe; the meter connection
 * runs it on its command thread, so commands and ticks never interleave.
 */
public final class ScheduleRunner implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ScheduleRunner.class);

    /** How often schedules are evaluated. */
    public static final Duration DEFAULT_TICK = Duration.ofMinutes(1);
    /**
     * The longest gap between two evaluations counted as ON time: a longer one means the meter was not running (a power
     * cut, a restart), and an appliance without power used none of its allowance.
     */
    static final Duration MAX_COUNTED_GAP = Duration.ofMinutes(5);

    /** One circuit's state; mutable, guarded by the runner. */
    private static final class Run {
        String scheduleId;
        Schedule schedule;
        Instant lastSwitch;
        LocalDate onDay;
        Duration onToday = Duration.ZERO;
        Instant lastTick;
        RelayState lastRelay;
        Instant holdUntil;
    }

    private final String meterId;
    private final CircuitDevice device;
    private final Path file;
    private final Duration minSwitchInterval;
    private final Clock clock;
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private ScheduledFuture<?> ticking;

    /**
     * @param file where the state is kept; null keeps it in memory only (tests, a meter without a state file)
     * @throws UncheckedIOException when the file exists but cannot be read
     */
    public ScheduleRunner(String meterId, CircuitDevice device, Path file, Duration minSwitchInterval, Clock clock) {
        this.meterId = meterId;
        this.device = device;
        this.file = file;
        this.minSwitchInterval = minSwitchInterval;
        this.clock = clock;
        load();
        runs.forEach((id, r) -> {
            if (r.schedule != null) {
                device.scheduleRunning(id, r.scheduleId);
            }
        });
    }

    /** The file beside a meter's state file: {@code <state file>.schedules}. */
    public static Path besides(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + ".schedules");
    }

    /** Evaluates now, then every {@code tick} on {@code executor} until {@link #close()}. */
    public synchronized void start(ScheduledExecutorService executor, Duration tick) {
        ticking = executor.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                LOG.warn("Meter {} schedules not evaluated: {}", meterId, e.toString());
            }
        }, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The schedule the meter runs for the circuit, if any. */
    public synchronized Optional<Schedule> schedule(String circuitId) {
        Run r = runs.get(circuitId);
        return r == null ? Optional.empty() : Optional.ofNullable(r.schedule);
    }

    /** The ON time counted for the circuit on the local day of its schedule (zero without a schedule). */
    public synchronized Duration onToday(String circuitId) {
        Run r = runs.get(circuitId);
        return r == null || r.schedule == null || !r.schedule.day(clock.instant()).equals(r.onDay) ? Duration.ZERO : r.onToday;
    }

    /**
     * Runs {@code schedule} for the circuit from now on (null: none; the circuit stays as it is), saved before this
     * returns, then evaluates it at once.
     *
     * @throws UncheckedIOException when it cannot be saved; the schedule is then not taken
     */
    public synchronized void set(String circuitId, String scheduleId, Schedule schedule, Instant now) {
        Run r = runs.computeIfAbsent(circuitId, k -> new Run());
        String oldId = r.scheduleId;
        Schedule old = r.schedule;
        r.scheduleId = schedule == null ? null : scheduleId;
        r.schedule = schedule;
        r.holdUntil = null;
        try {
            save();
        } catch (UncheckedIOException e) {
            r.scheduleId = oldId;
            r.schedule = old;
            throw e;
        }
        device.scheduleRunning(circuitId, r.scheduleId);
        LOG.info("Meter {} circuit {}: {}", meterId, circuitId, schedule == null ? "schedule removed" : "runs schedule " + schedule.canonical()
                + " (command " + scheduleId + ")");
        if (schedule != null) {
            evaluate(circuitId, r, now);
        }
    }

    /** Empty when the circuit may switch at {@code now}; else why not (its minimum switch interval). */
    public synchronized Optional<String> tooSoon(String circuitId, Instant now) {
        Run r = runs.get(circuitId);
        if (r == null || r.lastSwitch == null || minSwitchInterval.isZero()) {
            return Optional.empty();
        }
        Instant allowed = r.lastSwitch.plus(minSwitchInterval);
        return now.isBefore(allowed) ? Optional.of("circuit " + circuitId + " last switched at " + r.lastSwitch + "; at most one switch every "
                + minSwitchInterval + ", next possible at " + allowed) : Optional.empty();
    }

    /**
     * A CIRCUIT command switched the circuit (or found it as commanded) at {@code now}: the switch starts its minimum
     * interval, and a running schedule leaves it so until its next boundary. Saved before this returns.
     */
    public synchronized void commanded(String circuitId, boolean switched, Instant now) {
        Run r = runs.computeIfAbsent(circuitId, k -> new Run());
        if (switched) {
            r.lastSwitch = now;
        }
        if (r.schedule != null) {
            r.holdUntil = r.schedule.nextBoundary(now);
            LOG.info("Meter {} circuit {}: switched by command, its schedule resumes at {}", meterId, circuitId, r.holdUntil);
        }
        save();
    }

    /** Evaluates every scheduled circuit now. */
    public synchronized void tick() {
        Instant now = clock.instant();
        boolean dirty = false;
        for (Map.Entry<String, Run> e : runs.entrySet()) {
            if (e.getValue().schedule != null) {
                dirty |= evaluate(e.getKey(), e.getValue(), now);
            }
        }
        if (dirty) {
            trySave();
        }
    }

    /** @return whether the state changed in a way worth saving */
    private boolean evaluate(String circuitId, Run r, Instant now) {
        Schedule s = r.schedule;
        RelayState relay = device.circuitRelay(circuitId);
        boolean counted = count(r, s, relay, now);
        if (r.holdUntil != null) {
            if (now.isBefore(r.holdUntil)) {
                return counted;
            }
            r.holdUntil = null;
            counted = true;
        }
        CircuitInfo info = device.circuits().stream().filter(c -> c.id().equals(circuitId)).findFirst().orElse(null);
        if (info == null || !info.remotelySwitchable() || relay == null) {
            return counted; // refused when it was set; a circuit that changed since is left alone
        }
        RelayState wanted = s.allowsOn(now, r.onToday) ? RelayState.ON : RelayState.OFF;
        if (wanted == relay) {
            return counted;
        }
        Optional<String> wait = tooSoon(circuitId, now);
        if (wait.isPresent()) {
            LOG.debug("Meter {} circuit {}: {} wanted, {}", meterId, circuitId, wanted, wait.get());
            return counted;
        }
        RelayState after;
        try {
            after = device.switchCircuit(circuitId, wanted);
        } catch (RuntimeException e) {
            LOG.warn("Meter {} circuit {}: schedule could not switch it {}: {}", meterId, circuitId, wanted, e.getMessage());
            return counted;
        }
        r.lastSwitch = now;
        r.lastRelay = after;
        LOG.info("Meter {} circuit {} switched {} by its schedule (ON {} today)", meterId, circuitId, after, r.onToday);
        save();
        return false;
    }

    /** Adds the ON time since the last evaluation to the local day's count; true when it changed. */
    private boolean count(Run r, Schedule s, RelayState relay, Instant now) {
        LocalDate today = s.day(now);
        boolean changed = false;
        if (!today.equals(r.onDay)) {
            r.onDay = today;
            r.onToday = Duration.ZERO;
            changed = true;
        }
        if (r.lastTick != null && r.lastRelay == RelayState.ON && now.isAfter(r.lastTick)) {
            Instant from = r.lastTick.isBefore(s.startOfDay(now)) ? s.startOfDay(now) : r.lastTick;
            Duration gap = Duration.between(from, now);
            if (!gap.isNegative() && Duration.between(r.lastTick, now).compareTo(MAX_COUNTED_GAP) <= 0) {
                r.onToday = r.onToday.plus(gap);
                changed |= s.maxHoursPerDay() != null && !gap.isZero();
            }
        }
        r.lastTick = now;
        r.lastRelay = relay;
        return changed;
    }

    private void trySave() {
        try {
            save();
        } catch (UncheckedIOException e) {
            LOG.warn("Meter {} schedule state not saved: {}", meterId, e.getMessage());
        }
    }

    private void save() {
        if (file == null) {
            return;
        }
        ObjectNode root = Json.mapper().createObjectNode();
        ObjectNode circuits = root.putObject("circuits");
        runs.forEach((id, r) -> {
            ObjectNode o = circuits.putObject(id);
            if (r.schedule != null) {
                o.put("scheduleId", r.scheduleId);
                o.set("schedule", r.schedule.toJson());
            }
            putInstant(o, "lastSwitch", r.lastSwitch);
            if (r.onDay != null) {
                o.put("onDay", r.onDay.toString());
                o.put("onSeconds", r.onToday.toSeconds());
            }
            putInstant(o, "lastTick", r.lastTick);
            if (r.lastRelay != null) {
                o.put("lastRelay", r.lastRelay.name());
            }
            putInstant(o, "holdUntil", r.holdUntil);
        });
        try {
            MeterStateFile.replaceDurably(file, Json.bytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save schedules to " + file + ": " + e.getMessage(), e);
        }
    }

    private static void putInstant(ObjectNode o, String name, Instant t) {
        if (t != null) {
            o.put(name, t.toString());
        }
    }

    private void load() {
        if (file == null || !Files.exists(file)) {
            return;
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schedules " + file + ": " + e.getMessage(), e);
        }
        JsonNode circuits = root == null ? null : root.get("circuits");
        if (circuits == null || !circuits.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = circuits.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode o = e.getValue();
            Run r = new Run();
            try {
                r.schedule = Schedule.fromJson(o.get("schedule"));
                r.scheduleId = r.schedule == null ? null : o.path("scheduleId").asText(null);
                r.lastSwitch = instant(o, "lastSwitch");
                r.onDay = o.hasNonNull("onDay") ? LocalDate.parse(o.get("onDay").asText()) : null;
                r.onToday = Duration.ofSeconds(o.path("onSeconds").asLong(0));
                r.lastTick = instant(o, "lastTick");
                r.lastRelay = o.hasNonNull("lastRelay") ? RelayState.valueOf(o.get("lastRelay").asText()) : null;
                r.holdUntil = instant(o, "holdUntil");
            } catch (RuntimeException ex) {
                LOG.warn("Meter {} circuit {}: saved schedule state unreadable, dropped: {}", meterId, e.getKey(), ex.getMessage());
                continue;
            }
            runs.put(e.getKey(), r);
        }
    }

    private static Instant instant(JsonNode o, String name) {
        return o.hasNonNull(name) ? Instant.parse(o.get(name).asText()) : null;
    }

    /** Stops the periodic evaluation (the state is on disk already). */
    @Override
    public synchronized void close() {
        if (ticking != null) {
            ticking.cancel(false);
            ticking = null;
        }
    }
}
