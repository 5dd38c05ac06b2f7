package dev.ims.model.circuit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Json;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * When a circuit may be ON (contract "added with circuits", the {@code schedule} of a SCHEDULE command): only inside one
 * of its windows of local wall time in {@code zone}, and, with {@code maxHoursPerDay}, only until it has been ON that long
 * on the local day. Outside every window, or once the cap is reached, the meter keeps it OFF.
 *
 * <p>The wall clock decides, also on days when it jumps: in Europe/Berlin a 02:00–03:00 window is empty on the spring
 * day (those wall times do not happen) and open twice on the autumn day (they happen twice); the cap counts ON time per
 * local day however long that day is, so it still holds.
 *
 * @param zone the time zone whose wall clock the windows are in
 * @param windows 1 to {@value #MAX_WINDOWS}, in the order given (which the signature covers)
 * @param maxHoursPerDay 1–24 hours ON per local day, or null for no cap
 */
public record Schedule(ZoneId zone, List<Window> windows, Integer maxHoursPerDay) {

    public static final int MAX_WINDOWS = 8;
    /** The minutes of a whole day: a window's {@code to} may be this ("24:00"). */
    public static final int DAY_MINUTES = 24 * 60;
    private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]|24:00");

    /**
     * Local wall time {@code [from, to)} in minutes after midnight; {@code from > to} crosses midnight (22:00–06:00).
     *
     * @param fromMinute 0..1439
     * @param toMinute 0..1440 (1440 is "24:00", the end of the day), not equal to {@code fromMinute}
     */
    public record Window(int fromMinute, int toMinute) {

        public Window {
            if (fromMinute < 0 || fromMinute >= DAY_MINUTES || toMinute < 0 || toMinute > DAY_MINUTES) {
                throw new IllegalArgumentException("a window runs from 00:00..23:59 to 00:00..24:00");
            }
            if (fromMinute == toMinute || fromMinute == 0 && toMinute == 0) {
                throw new IllegalArgumentException("a window's from and to must differ (" + hhmm(fromMinute) + ")");
            }
        }

        /** @throws IllegalArgumentException when {@code from} or {@code to} is not "HH:MM" (to may be "24:00") */
        public static Window of(String from, String to) {
            if (from == null || !TIME.matcher(from).matches() || "24:00".equals(from)) {
                throw new IllegalArgumentException("window from '" + abbreviate(from) + "' must be HH:MM from 00:00 to 23:59");
            }
            if (to == null || !TIME.matcher(to).matches()) {
                throw new IllegalArgumentException("window to '" + abbreviate(to) + "' must be HH:MM from 00:00 to 24:00");
            }
            return new Window(Schedule.minutes(from), Schedule.minutes(to));
        }

        public String from() {
            return hhmm(fromMinute);
        }

        public String to() {
            return hhmm(toMinute);
        }

        /** Whether local minute-of-day {@code m} (0..1439) lies inside. */
        public boolean contains(int m) {
            return fromMinute < toMinute ? m >= fromMinute && m < toMinute : m >= fromMinute || m < toMinute;
        }

        /** How many minutes of a 24-hour wall day the window covers. */
        public int minutes() {
            return fromMinute < toMinute ? toMinute - fromMinute : DAY_MINUTES - fromMinute + toMinute;
        }

        @Override
        public String toString() {
            return from() + "-" + to();
        }
    }

    public Schedule {
        if (zone == null) {
            throw new IllegalArgumentException("a schedule needs a zone");
        }
        if (windows == null || windows.isEmpty() || windows.size() > MAX_WINDOWS) {
            throw new IllegalArgumentException("a schedule needs 1 to " + MAX_WINDOWS + " windows");
        }
        windows = List.copyOf(windows);
        if (maxHoursPerDay != null && (maxHoursPerDay < 1 || maxHoursPerDay > 24)) {
            throw new IllegalArgumentException("maxHoursPerDay must be from 1 to 24, got " + maxHoursPerDay);
        }
    }

    /**
     * The form the signature covers (contract): {@code zone + ";" + windows as "HH:MM-HH:MM" joined by "," + ";" +
     * (maxHoursPerDay or "-")}, e.g. {@code Europe/Berlin;00:00-06:00,22:00-24:00;4}. {@link #NONE} stands for no
     * schedule.
     */
    public String canonical() {
        return zone.getId() + ";" + windows.stream().map(Window::toString).collect(Collectors.joining(",")) + ";"
                + (maxHoursPerDay == null ? "-" : maxHoursPerDay.toString());
    }

    /** The canonical form of no schedule (a SCHEDULE command that removes the circuit's schedule). */
    public static final String NONE = "none";

    public static String canonical(Schedule s) {
        return s == null ? NONE : s.canonical();
    }

    /** Whether {@code t} lies inside a window, on the wall clock of {@link #zone}. */
    public boolean inWindow(Instant t) {
        LocalTime local = t.atZone(zone).toLocalTime();
        int m = local.getHour() * 60 + local.getMinute();
        for (Window w : windows) {
            if (w.contains(m)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The decision: whether the circuit may be ON at {@code t}, having been ON {@code onSoFarToday} on the local day of
     * {@code t} ({@link #day}).
     */
    public boolean allowsOn(Instant t, Duration onSoFarToday) {
        if (!inWindow(t)) {
            return false;
        }
        return maxHoursPerDay == null || onSoFarToday.compareTo(cap()) < 0;
    }

    /** The cap as a duration; null for none. */
    public Duration cap() {
        return maxHoursPerDay == null ? null : Duration.ofHours(maxHoursPerDay);
    }

    /** The local day ON time is counted for at {@code t}. */
    public LocalDate day(Instant t) {
        return t.atZone(zone).toLocalDate();
    }

    /** When the local day of {@code t} began (its first instant; not always 00:00 on a DST day). */
    public Instant startOfDay(Instant t) {
        return day(t).atStartOfDay(zone).toInstant();
    }

    /**
     * The first instant after {@code t} at which a window opens or closes, or the next local midnight (when the ON-time
     * count starts again), whichever comes first. A wall time that does not happen (the spring gap) is skipped.
     */
    public Instant nextBoundary(Instant t) {
        LocalDate today = day(t);
        Instant best = today.plusDays(1).atStartOfDay(zone).toInstant();
        for (int d = 0; d <= 1; d++) {
            LocalDate date = today.plusDays(d);
            for (Window w : windows) {
                for (int m : new int[] {w.fromMinute(), w.toMinute()}) {
                    if (m == DAY_MINUTES || m == 0) {
                        continue; // midnight is the candidate above
                    }
                    LocalTime lt = LocalTime.of(m / 60, m % 60);
                    ZonedDateTime at = ZonedDateTime.of(date, lt, zone);
                    if (!at.toLocalTime().equals(lt)) {
                        continue; // in the spring gap: this wall time does not happen today
                    }
                    for (Instant candidate : new Instant[] {at.withEarlierOffsetAtOverlap().toInstant(), at.withLaterOffsetAtOverlap().toInstant()}) {
                        if (candidate.isAfter(t) && candidate.isBefore(best)) {
                            best = candidate;
                        }
                    }
                }
            }
        }
        return best;
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("zone", zone.getId());
        ArrayNode list = o.putArray("windows");
        for (Window w : windows) {
            list.addObject().put("from", w.from()).put("to", w.to());
        }
        if (maxHoursPerDay != null) {
            o.put("maxHoursPerDay", maxHoursPerDay);
        }
        return o;
    }

    /**
     * A schedule from its JSON ({@code {"zone","windows":[{"from","to"}],"maxHoursPerDay"?}}); JSON null is no schedule.
     *
     * @throws IllegalArgumentException saying what is wrong, when it is not a valid schedule
     */
    public static Schedule fromJson(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("schedule must be an object or null");
        }
        JsonNode zone = n.get("zone");
        if (zone == null || !zone.isTextual() || zone.textValue().length() > 64) {
            throw new IllegalArgumentException("schedule.zone must be a time zone ID such as Europe/Berlin");
        }
        ZoneId z;
        try {
            z = ZoneId.of(zone.textValue());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("schedule.zone '" + abbreviate(zone.textValue()) + "' is not a time zone ID");
        }
        JsonNode ws = n.get("windows");
        if (ws == null || !ws.isArray()) {
            throw new IllegalArgumentException("schedule.windows must be a list of {from, to}");
        }
        if (ws.size() > MAX_WINDOWS) {
            throw new IllegalArgumentException("schedule.windows: at most " + MAX_WINDOWS + " windows");
        }
        List<Window> windows = new ArrayList<>();
        for (JsonNode w : ws) {
            JsonNode from = w.get("from");
            JsonNode to = w.get("to");
            try {
                windows.add(Window.of(from != null && from.isTextual() ? from.textValue() : null, to != null && to.isTextual() ? to.textValue() : null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("schedule.windows[" + windows.size() + "]: " + e.getMessage());
            }
        }
        JsonNode max = n.get("maxHoursPerDay");
        Integer cap = null;
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || !max.canConvertToInt()) {
                throw new IllegalArgumentException("schedule.maxHoursPerDay must be a whole number from 1 to 24");
            }
            cap = max.intValue();
        }
        try {
            return new Schedule(z, windows, cap);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schedule: " + e.getMessage());
        }
    }

    static int minutes(String hhmm) {
        return Integer.parseInt(hhmm.substring(0, 2)) * 60 + Integer.parseInt(hhmm.substring(3, 5));
    }

    static String hhmm(int minutes) {
        return String.format("%02d:%02d", minutes / 60, minutes % 60);
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : dev.ims.model.json.Fields.abbreviate(s);
    }
}
