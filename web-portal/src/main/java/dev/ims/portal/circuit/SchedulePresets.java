package dev.ims.portal.circuit;

import dev.ims.model.circuit.Schedule;
import dev.ims.portal.tariff.TariffVersion;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Turns a consumer's choice into a {@link Schedule}, from the tariff version in force. Pure.
 *
 * <p>An hour's price is the version's band price for that local hour, averaged over the seven weekdays (a band that
 * applies on some weekdays only weighs accordingly: a schedule has one set of windows for every day).
 */
public final class SchedulePresets {

    /** What the consumer chose. */
    public enum Preset {
        /** ON only in the hours of the cheapest price. */
        CHEAPEST_BAND,
        /** ON in every hour but those of the dearest price. */
        AVOID_PEAK,
        /** ON in the {@code hours} cheapest hours (ties: the earlier hour), at most {@code hours} a day. */
        CHEAPEST_HOURS,
        /** The consumer's own windows, optionally capped at {@code hours} a day. */
        CUSTOM
    }

    /** The choice cannot be made into a schedule under this tariff (409): e.g. no peak to avoid in a flat tariff. */
    public static final class NotApplicable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotApplicable(String message) {
            super(message, null, false, false);
        }
    }

    private SchedulePresets() {}

    /**
     * @param hours CHEAPEST_HOURS: 1–24, required; CUSTOM: the optional cap; else must be null
     * @param windows CUSTOM: 1–8 windows, required; else must be null or empty
     * @throws IllegalArgumentException a request that is wrong in itself (400)
     * @throws NotApplicable a request the tariff cannot satisfy (409)
     */
    public static Schedule resolve(Preset preset, Integer hours, List<Schedule.Window> windows, TariffVersion tariff, ZoneId zone) {
        if (preset == null) {
            throw new IllegalArgumentException("preset must be CHEAPEST_BAND, AVOID_PEAK, CHEAPEST_HOURS or CUSTOM");
        }
        if (preset != Preset.CUSTOM && windows != null && !windows.isEmpty()) {
            throw new IllegalArgumentException("windows are for the CUSTOM preset only");
        }
        if (hours != null && (hours < 1 || hours > 24)) {
            throw new IllegalArgumentException("hours must be a whole number from 1 to 24");
        }
        double[] price = hourPrices(tariff);
        return switch (preset) {
            case CHEAPEST_BAND -> {
                noHours(preset, hours);
                double min = IntStream.range(0, 24).mapToDouble(h -> price[h]).min().orElseThrow();
                yield schedule(zone, hoursWhere(price, p -> p == min), null);
            }
            case AVOID_PEAK -> {
                noHours(preset, hours);
                double max = IntStream.range(0, 24).mapToDouble(h -> price[h]).max().orElseThrow();
                boolean[] keep = hoursWhere(price, p -> p < max);
                if (!any(keep)) {
                    throw new NotApplicable("the tariff " + tariff.name() + " has one price for every hour: there is no peak to avoid");
                }
                yield schedule(zone, keep, null);
            }
            case CHEAPEST_HOURS -> {
                if (hours == null) {
                    throw new IllegalArgumentException("CHEAPEST_HOURS needs hours (1 to 24)");
                }
                boolean[] keep = new boolean[24];
                IntStream.range(0, 24).boxed().sorted(Comparator.<Integer>comparingDouble(h -> price[h]).thenComparingInt(h -> h)).limit(hours)
                        .forEach(h -> keep[h] = true);
                yield schedule(zone, keep, hours);
            }
            case CUSTOM -> {
                if (windows == null || windows.isEmpty()) {
                    throw new IllegalArgumentException("CUSTOM needs windows: [{\"from\":\"HH:MM\",\"to\":\"HH:MM\"}]");
                }
                yield new Schedule(zone, windows, hours);
            }
        };
    }

    /** The net price of each local hour, averaged over the weekdays. */
    static double[] hourPrices(TariffVersion tariff) {
        double[] price = new double[24];
        for (int h = 0; h < 24; h++) {
            double sum = 0;
            for (DayOfWeek d : DayOfWeek.values()) {
                sum += tariff.bandPrice(d, h);
            }
            price[h] = sum / 7;
        }
        return price;
    }

    private static void noHours(Preset preset, Integer hours) {
        if (hours != null) {
            throw new IllegalArgumentException("hours are for CHEAPEST_HOURS and CUSTOM only, not " + preset);
        }
    }

    private static boolean[] hoursWhere(double[] price, java.util.function.DoublePredicate p) {
        boolean[] keep = new boolean[24];
        for (int h = 0; h < 24; h++) {
            keep[h] = p.test(price[h]);
        }
        return keep;
    }

    private static boolean any(boolean[] keep) {
        for (boolean k : keep) {
            if (k) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whole hours as windows: consecutive hours merged, a run through midnight written as one window crossing it
     * (22:00–06:00), all 24 hours as 00:00–24:00.
     *
     * @throws NotApplicable when that takes more than {@link Schedule#MAX_WINDOWS} windows
     */
    static Schedule schedule(ZoneId zone, boolean[] keep, Integer cap) {
        if (!any(keep)) {
            throw new NotApplicable("no hour qualifies");
        }
        List<Schedule.Window> windows = new ArrayList<>();
        if (IntStream.range(0, 24).allMatch(h -> keep[h])) {
            windows.add(new Schedule.Window(0, Schedule.DAY_MINUTES));
        } else {
            // Start at an hour that is not kept, so that a run across midnight is found whole.
            int start = IntStream.range(0, 24).filter(h -> !keep[h]).findFirst().orElseThrow();
            int h = (start + 1) % 24;
            for (int i = 0; i < 24; i++, h = (h + 1) % 24) {
                if (keep[h] && !keep[(h + 23) % 24]) {
                    int end = h;
                    while (keep[end % 24]) {
                        end++;
                    }
                    windows.add(new Schedule.Window(h * 60, end % 24 == 0 ? Schedule.DAY_MINUTES : (end % 24) * 60));
                }
            }
            windows.sort(Comparator.comparingInt(Schedule.Window::fromMinute));
        }
        if (windows.size() > Schedule.MAX_WINDOWS) {
            throw new NotApplicable("the hours chosen make " + windows.size() + " separate windows; a schedule holds at most " + Schedule.MAX_WINDOWS);
        }
        return new Schedule(zone, windows, cap);
    }
}
