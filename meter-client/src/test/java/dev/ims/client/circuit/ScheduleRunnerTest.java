package dev.ims.client.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScheduleRunnerTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Circuits with relays in memory, recording every switch. */
    static final class Circuits implements CircuitDevice {
        final Map<String, RelayState> relays = new HashMap<>(Map.of("water-heater", RelayState.OFF, "fridge", RelayState.ON));
        final Map<String, String> running = new HashMap<>();
        final List<String> switches = new ArrayList<>();

        @Override
        public List<CircuitInfo> circuits() {
            return List.of(new CircuitInfo("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, true),
                    new CircuitInfo("fridge", "Fridge", CircuitKind.FRIDGE, true, true));
        }

        @Override
        public RelayState circuitRelay(String circuitId) {
            return relays.get(circuitId);
        }

        @Override
        public RelayState switchCircuit(String circuitId, RelayState wanted) {
            relays.put(circuitId, wanted);
            switches.add(circuitId + "=" + wanted);
            return wanted;
        }

        @Override
        public void scheduleRunning(String circuitId, String scheduleId) {
            running.put(circuitId, scheduleId);
        }
    }

    static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    static Schedule schedule(Integer cap, String from, String to) {
        return new Schedule(BERLIN, List.of(Schedule.Window.of(from, to)), cap);
    }

    /** Ticks every minute for {@code minutes}. */
    static void run(ScheduleRunner runner, MovingClock clock, int minutes) {
        for (int i = 0; i < minutes; i++) {
            clock.advance(Duration.ofMinutes(1));
            runner.tick();
        }
    }

    @Test
    void schedule_switchesOnInsideItsWindow_andOffWhenItCloses() {
        MovingClock clock = new MovingClock(berlin("2026-11-29T21:58"));
        Circuits c = new Circuits();
        ScheduleRunner runner = new ScheduleRunner("M", c, dir.resolve("s"), Duration.ofMinutes(1), clock);
        runner.set("water-heater", "cmd-1", schedule(null, "22:00", "23:00"), clock.instant());
        assertThat(c.running).containsEntry("water-heater", "cmd-1");
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.OFF);
        run(runner, clock, 2);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
        run(runner, clock, 60);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.OFF);
        assertThat(c.switches).containsExactly("water-heater=ON", "water-heater=OFF");
    }

    @Test
    void cap_isCountedPerLocalDay_andSwitchesOffWhenReached() {
        MovingClock clock = new MovingClock(berlin("2026-11-29T12:00"));
        Circuits c = new Circuits();
        ScheduleRunner runner = new ScheduleRunner("M", c, dir.resolve("s"), Duration.ZERO, clock);
        runner.set("water-heater", "cmd-1", schedule(2, "00:00", "24:00"), clock.instant());
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
        run(runner, clock, 119);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
        run(runner, clock, 2);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.OFF);
        assertThat(runner.onToday("water-heater")).isEqualTo(Duration.ofHours(2));
        // Off for the rest of the day, on again after local midnight.
        run(runner, clock, 9 * 60);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.OFF);
        run(runner, clock, 2 * 60);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
    }

    @Test
    void minSwitchInterval_delaysTheSchedulesSwitch_untilItHasPassed() {
        MovingClock clock = new MovingClock(berlin("2026-11-29T21:59"));
        Circuits c = new Circuits();
        ScheduleRunner runner = new ScheduleRunner("M", c, dir.resolve("s"), Duration.ofMinutes(10), clock);
        runner.set("water-heater", "cmd-1", schedule(null, "22:00", "23:00"), clock.instant());
        c.switchCircuit("water-heater", RelayState.OFF);
        runner.commanded("water-heater", true, clock.instant().minus(Duration.ofMinutes(30)));
        // The command's hold is over at 22:00; its switch lay 30 minutes back: the schedule switches at once.
        run(runner, clock, 1);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
        assertThat(runner.tooSoon("water-heater", clock.instant())).isPresent();
        assertThat(runner.tooSoon("water-heater", clock.instant().plus(Duration.ofMinutes(10)))).isEmpty();
    }

    @Test
    void commandWhileAScheduleRuns_holdsUntilTheNextBoundary_thenTheScheduleResumes() {
        MovingClock clock = new MovingClock(berlin("2026-11-29T21:00"));
        Circuits c = new Circuits();
        ScheduleRunner runner = new ScheduleRunner("M", c, dir.resolve("s"), Duration.ZERO, clock);
        runner.set("water-heater", "cmd-1", schedule(null, "22:00", "23:00"), clock.instant());
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.OFF);
        // The consumer switches it ON at 21:00 (outside the window): it stays ON until 22:00 ...
        c.switchCircuit("water-heater", RelayState.ON);
        runner.commanded("water-heater", true, clock.instant());
        run(runner, clock, 59);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
        // ... and at 23:00 the schedule switches it off again.
        run(runner, clock, 61);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.OFF);
    }

    @Test
    void schedules_surviveARestart_andAreReportedAsRunning() {
        MovingClock clock = new MovingClock(berlin("2026-11-29T21:00"));
        Circuits c = new Circuits();
        ScheduleRunner first = new ScheduleRunner("M", c, dir.resolve("s"), Duration.ZERO, clock);
        first.set("water-heater", "cmd-1", schedule(1, "22:00", "23:00"), clock.instant());
        first.close();

        Circuits after = new Circuits();
        ScheduleRunner again = new ScheduleRunner("M", after, dir.resolve("s"), Duration.ZERO, clock);
        assertThat(after.running).containsEntry("water-heater", "cmd-1");
        assertThat(again.schedule("water-heater")).contains(schedule(1, "22:00", "23:00"));
        run(again, clock, 61);
        assertThat(after.relays.get("water-heater")).isEqualTo(RelayState.ON);
    }

    @Test
    void nullSchedule_removesIt_andLeavesTheCircuitAsItIs() {
        MovingClock clock = new MovingClock(berlin("2026-11-29T22:30"));
        Circuits c = new Circuits();
        ScheduleRunner runner = new ScheduleRunner("M", c, dir.resolve("s"), Duration.ZERO, clock);
        runner.set("water-heater", "cmd-1", schedule(null, "22:00", "23:00"), clock.instant());
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
        runner.set("water-heater", "cmd-2", null, clock.instant());
        assertThat(c.running.get("water-heater")).isNull();
        run(runner, clock, 120);
        assertThat(c.relays.get("water-heater")).isEqualTo(RelayState.ON);
    }

    @Test
    void criticalCircuit_isNeverSwitchedByASchedule() {
        MovingClock clock = new MovingClock(berlin("2026-11-29T12:00"));
        Circuits c = new Circuits();
        ScheduleRunner runner = new ScheduleRunner("M", c, null, Duration.ZERO, clock);
        runner.set("fridge", "cmd-1", schedule(null, "22:00", "23:00"), clock.instant());
        run(runner, clock, 5);
        assertThat(c.relays.get("fridge")).isEqualTo(RelayState.ON);
        assertThat(c.switches).isEmpty();
    }
}
