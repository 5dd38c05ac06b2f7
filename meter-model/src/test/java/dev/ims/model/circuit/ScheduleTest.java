package dev.ims.model.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static Schedule schedule(Integer cap, String... windows) {
        List<Schedule.Window> ws = java.util.Arrays.stream(windows).map(w -> Schedule.Window.of(w.substring(0, 5), w.substring(6))).toList();
        return new Schedule(BERLIN, ws, cap);
    }

    static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }

    @ParameterizedTest(name = "{0} in 00:00-06:00,13:00-15:00 → {1}")
    @CsvSource({"2026-11-29T00:00,true", "2026-11-29T05:59,true", "2026-11-29T06:00,false", "2026-11-29T12:59,false",
            "2026-11-29T13:00,true", "2026-11-29T14:59,true", "2026-11-29T15:00,false", "2026-11-29T23:59,false"})
    void bands_openFromInclusive_closeAtToExclusive(String local, boolean allowed) {
        Schedule s = schedule(null, "00:00-06:00", "13:00-15:00");
        assertThat(s.allowsOn(berlin(local), Duration.ZERO)).isEqualTo(allowed);
    }

    @ParameterizedTest(name = "{0} in 22:00-06:00 → {1}")
    @CsvSource({"2026-11-29T21:59,false", "2026-11-29T22:00,true", "2026-11-29T23:59,true", "2026-11-30T00:00,true",
            "2026-11-30T05:59,true", "2026-11-30T06:00,false", "2026-11-30T12:00,false"})
    void window_withFromAfterTo_crossesMidnight(String local, boolean allowed) {
        assertThat(schedule(null, "22:00-06:00").allowsOn(berlin(local), Duration.ZERO)).isEqualTo(allowed);
    }

    @Test
    void window_endingAt2400_coversTheLastMinuteButNotMidnight() {
        Schedule s = schedule(null, "18:00-24:00");
        assertThat(s.allowsOn(berlin("2026-11-29T23:59"), Duration.ZERO)).isTrue();
        assertThat(s.allowsOn(berlin("2026-11-30T00:00"), Duration.ZERO)).isFalse();
        assertThat(s.allowsOn(berlin("2026-11-29T17:59"), Duration.ZERO)).isFalse();
    }

    @Test
    void cap_keepsTheCircuitOffOnceReached_andOnlyThen() {
        Schedule s = schedule(4, "00:00-24:00");
        Instant noon = berlin("2026-11-29T12:00");
        assertThat(s.allowsOn(noon, Duration.ofHours(3).plusMinutes(59))).isTrue();
        assertThat(s.allowsOn(noon, Duration.ofHours(4))).isFalse();
        assertThat(s.allowsOn(noon, Duration.ofHours(5))).isFalse();
    }

    @Test
    void springForwardDay_windowInTheGap_isEmpty_allDay() {
        // 2026-03-29: Berlin's clocks jump from 02:00 to 03:00; 02:xx never shows on the wall.
        Schedule s = schedule(null, "02:00-03:00");
        Instant start = LocalDate.of(2026, 3, 29).atStartOfDay(BERLIN).toInstant();
        Instant end = LocalDate.of(2026, 3, 30).atStartOfDay(BERLIN).toInstant();
        assertThat(Duration.between(start, end)).isEqualTo(Duration.ofHours(23));
        assertThat(minutesAllowed(s, start, end, Duration.ZERO)).isZero();
        // The day before, an ordinary day, it is open its full hour.
        assertThat(minutesAllowed(s, start.minus(Duration.ofHours(24)), start, Duration.ZERO)).isEqualTo(60);
    }

    @Test
    void autumnBackDay_windowInTheOverlap_isOpenTwice() {
        // 2026-10-25: Berlin's clocks go back from 03:00 to 02:00; 02:xx happens twice.
        Schedule s = schedule(null, "02:00-03:00");
        Instant start = LocalDate.of(2026, 10, 25).atStartOfDay(BERLIN).toInstant();
        Instant end = LocalDate.of(2026, 10, 26).atStartOfDay(BERLIN).toInstant();
        assertThat(Duration.between(start, end)).isEqualTo(Duration.ofHours(25));
        assertThat(minutesAllowed(s, start, end, Duration.ZERO)).isEqualTo(120);
    }

    @Test
    void autumnBackDay_capStillHolds_whenTheWindowHappensTwice() {
        Schedule s = schedule(1, "02:00-03:00");
        Instant start = LocalDate.of(2026, 10, 25).atStartOfDay(BERLIN).toInstant();
        Instant end = LocalDate.of(2026, 10, 26).atStartOfDay(BERLIN).toInstant();
        assertThat(simulateOnMinutes(s, start, end)).isEqualTo(60);
    }

    @Test
    void cheapestNHours_capWithTwoWindows_runsNHoursADay_fromTheFirstWindowOn() {
        // The two cheapest hours of a day are 03:00-04:00 and 14:00-15:00, capped at 2 hours a day: one hour in each.
        Schedule s = schedule(2, "03:00-04:00", "14:00-15:00");
        Instant start = LocalDate.of(2026, 11, 29).atStartOfDay(BERLIN).toInstant();
        assertThat(simulateOnMinutes(s, start, start.plus(Duration.ofHours(24)))).isEqualTo(120);
        // With a cap of 1 the first window uses it up and the second stays off.
        Schedule one = schedule(1, "03:00-04:00", "14:00-15:00");
        assertThat(simulateOnMinutes(one, start, start.plus(Duration.ofHours(24)))).isEqualTo(60);
        assertThat(one.allowsOn(berlin("2026-11-29T14:30"), Duration.ofHours(1))).isFalse();
    }

    @Test
    void cap_countsPerLocalDay_andStartsAgainAtLocalMidnight() {
        Schedule s = schedule(3, "22:00-06:00");
        Instant start = berlin("2026-11-29T12:00");
        // 22:00-24:00 on the 29th (2 h), then 00:00-03:00 on the 30th (3 h, the cap) = 5 h.
        assertThat(simulateOnMinutes(s, start, start.plus(Duration.ofHours(24)))).isEqualTo(300);
        assertThat(s.day(berlin("2026-11-29T23:59"))).isEqualTo(LocalDate.of(2026, 11, 29));
        assertThat(s.day(berlin("2026-11-30T00:00"))).isEqualTo(LocalDate.of(2026, 11, 30));
    }

    @Test
    void nextBoundary_isTheNextWindowEdgeOrMidnight() {
        Schedule s = schedule(null, "22:00-06:00", "13:00-15:00");
        assertThat(s.nextBoundary(berlin("2026-11-29T10:00"))).isEqualTo(berlin("2026-11-29T13:00"));
        assertThat(s.nextBoundary(berlin("2026-11-29T13:00"))).isEqualTo(berlin("2026-11-29T15:00"));
        assertThat(s.nextBoundary(berlin("2026-11-29T23:00"))).isEqualTo(berlin("2026-11-30T00:00"));
        assertThat(s.nextBoundary(berlin("2026-11-30T00:00"))).isEqualTo(berlin("2026-11-30T06:00"));
    }

    @Test
    void nextBoundary_onTheSpringDay_skipsAWallTimeThatDoesNotHappen() {
        Schedule s = schedule(null, "02:30-05:00");
        assertThat(s.nextBoundary(berlin("2026-03-29T01:00"))).isEqualTo(berlin("2026-03-29T05:00"));
    }

    @Test
    void canonical_isZoneWindowsAndCap_asTheContractSays() {
        assertThat(schedule(4, "00:00-06:00", "22:00-24:00").canonical()).isEqualTo("Europe/Berlin;00:00-06:00,22:00-24:00;4");
        assertThat(schedule(null, "13:05-15:00").canonical()).isEqualTo("Europe/Berlin;13:05-15:00;-");
        assertThat(Schedule.canonical(null)).isEqualTo("none");
    }

    @Test
    void json_roundTrips() throws Exception {
        Schedule s = schedule(4, "22:00-06:00", "13:00-24:00");
        assertThat(Schedule.fromJson(Json.mapper().readTree(Json.bytes(s.toJson())))).isEqualTo(s);
        assertThat(Schedule.fromJson(Json.mapper().readTree("null"))).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"zone\":\"Mars/Olympus\",\"windows\":[{\"from\":\"00:00\",\"to\":\"06:00\"}]}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[]}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[{\"from\":\"24:00\",\"to\":\"06:00\"}]}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[{\"from\":\"6:00\",\"to\":\"07:00\"}]}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[{\"from\":\"06:00\",\"to\":\"06:00\"}]}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[{\"from\":\"06:00\",\"to\":\"24:01\"}]}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[{\"from\":\"06:00\",\"to\":\"07:00\"}],\"maxHoursPerDay\":0}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[{\"from\":\"06:00\",\"to\":\"07:00\"}],\"maxHoursPerDay\":25}",
            "{\"zone\":\"Europe/Berlin\",\"windows\":[{\"from\":\"06:00\",\"to\":\"07:00\"}],\"maxHoursPerDay\":2.5}",
            "{\"windows\":[{\"from\":\"06:00\",\"to\":\"07:00\"}]}",
            "[]"})
    void badSchedules_areRefused_withAMessage(String json) {
        assertThatThrownBy(() -> Schedule.fromJson(Json.mapper().readTree(json))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("schedule");
    }

    @Test
    void moreThanEightWindows_areRefused() {
        String[] nine = new String[9];
        for (int i = 0; i < 9; i++) {
            nine[i] = String.format("%02d:00-%02d:30", i, i);
        }
        assertThatThrownBy(() -> schedule(null, nine)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8");
    }

    /** Minutes in [start, end) at which the schedule allows ON, given a fixed ON time so far. */
    static int minutesAllowed(Schedule s, Instant start, Instant end, Duration onSoFar) {
        int n = 0;
        for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofMinutes(1))) {
            if (s.allowsOn(t, onSoFar)) {
                n++;
            }
        }
        return n;
    }

    /** Runs the schedule minute by minute as a meter would: ON whenever allowed, counting ON time per local day. */
    static int simulateOnMinutes(Schedule s, Instant start, Instant end) {
        int on = 0;
        LocalDate day = null;
        Duration today = Duration.ZERO;
        for (Instant t = start; t.isBefore(end); t = t.plus(Duration.ofMinutes(1))) {
            if (!s.day(t).equals(day)) {
                day = s.day(t);
                today = Duration.ZERO;
            }
            if (s.allowsOn(t, today)) {
                on++;
                today = today.plusMinutes(1);
            }
        }
        return on;
    }

    @Test
    void startOfDay_onTheSpringDay_isLocalMidnight() {
        assertThat(schedule(null, "00:00-01:00").startOfDay(berlin("2026-03-29T12:00")))
                .isEqualTo(ZonedDateTime.of(2026, 3, 29, 0, 0, 0, 0, BERLIN).toInstant());
    }
}
