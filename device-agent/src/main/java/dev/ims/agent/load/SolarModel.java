package dev.ims.agent.load;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A rooftop solar installation's output over time, for a prosumer's simulated meter: zero at night, a
 * bell around solar noon, longer and higher days in summer, and clouds (clear, mixed and overcast days;
 * on mixed days clouds passing every few minutes).
 *
 * <p>The sky is a mid-latitude northern one (about 52° N, like Berlin or Amsterdam: 16 h of daylight at
 * midsummer, 8 h at midwinter) and solar noon is 12:00 of the zone's standard time (13:00 in summer
 * time); the zone is the configured {@code TIME_ZONE}. Everything is a function of the meter's seed and
 * the instant, never of a random stream: the same meter produces the same curve in its history backfill,
 * live and after a restart, and the household's load model draws the same numbers whether or not the
 * meter has panels. Immutable and thread-safe.
 */
public final class SolarModel {

    /** About one simulated meter in this many has solar panels. */
    public static final int ONE_METER_IN = 4;
    /** The smallest and largest installed peak output, in W (a few kW: a house's roof). */
    public static final double MIN_PEAK_W = 2_400;
    public static final double MAX_PEAK_W = 5_600;
    /** How long one passing cloud (or gap between clouds) lasts on a mixed day. */
    static final long CLOUD_SLOT_SECONDS = 5 * 60;

    private static final int MIDSUMMER_DAY = 172;
    private static final double DAYLIGHT_MEAN_HOURS = 12;
    private static final double DAYLIGHT_SWING_HOURS = 4;
    /** Midwinter's clear-sky peak as a share of midsummer's (a low sun through more air). */
    private static final double WINTER_PEAK_SHARE = 0.3;
    /** Salts, so that the choices made from one seed do not follow each other (nor the load model's). */
    private static final long SALT_PROSUMER = 0x5EED_501A_0001L;
    private static final long SALT_PEAK = 0x5EED_501A_0002L;
    private static final long SALT_DAY = 0x5EED_501A_0003L;
    private static final long SALT_SLOT = 0x5EED_501A_0004L;

    private final double peakW;
    private final ZoneId zone;
    private final long seed;

    /** An installation of {@code peakW} (its clear midsummer noon output) in {@code zone}, its clouds drawn from {@code seed}. */
    public SolarModel(double peakW, ZoneId zone, long seed) {
        if (!(peakW > 0)) {
            throw new IllegalArgumentException("peak output must be positive, got " + peakW);
        }
        this.peakW = peakW;
        this.zone = zone;
        this.seed = seed;
    }

    /**
     * The panels of the meter with {@code seed}, or empty when that meter has none: about one meter in
     * {@link #ONE_METER_IN}, chosen by the seed alone, so a meter is a prosumer for good.
     */
    public static Optional<SolarModel> forMeter(long seed, ZoneId zone) {
        if (draw(seed, SALT_PROSUMER).nextInt(ONE_METER_IN) != 0) {
            return Optional.empty();
        }
        double peak = MIN_PEAK_W + draw(seed, SALT_PEAK).nextDouble() * (MAX_PEAK_W - MIN_PEAK_W);
        return Optional.of(new SolarModel(Math.round(peak / 10) * 10.0, zone, seed));
    }

    public double peakW() {
        return peakW;
    }

    /** The output under a clear sky at {@code t}, in W: 0 from sunset to sunrise, highest at solar noon. */
    public double clearSkyW(Instant t) {
        LocalDateTime standard = LocalDateTime.ofInstant(t, standardOffset(t));
        double hour = standard.getHour() + standard.getMinute() / 60.0 + standard.getSecond() / 3600.0;
        double season = Math.cos(2 * Math.PI * (standard.getDayOfYear() - MIDSUMMER_DAY) / 365.25); // 1 midsummer, -1 midwinter
        double halfDay = (DAYLIGHT_MEAN_HOURS + DAYLIGHT_SWING_HOURS * season) / 2;
        double fromNoon = (hour - 12) / halfDay;
        if (Math.abs(fromNoon) >= 1) {
            return 0;
        }
        double dayPeak = peakW * (WINTER_PEAK_SHARE + (1 - WINTER_PEAK_SHARE) * (1 + season) / 2);
        return dayPeak * Math.pow(Math.cos(Math.PI / 2 * fromNoon), 1.5);
    }

    /** The output at {@code t} with the day's clouds, in W, to 0.1 W; never above {@link #clearSkyW}. */
    public double powerW(Instant t) {
        double clear = clearSkyW(t);
        if (clear == 0) {
            return 0;
        }
        return Math.round(clear * cloudFactor(t) * 10) / 10.0;
    }

    /**
     * The share of the clear-sky output that gets through at {@code t}: each local day is clear (0.85 to
     * 1), mixed (clouds passing every {@link #CLOUD_SLOT_SECONDS}: 0.25 to 1) or overcast (0.1 to 0.3).
     */
    double cloudFactor(Instant t) {
        long day = LocalDateTime.ofInstant(t, standardOffset(t)).toLocalDate().toEpochDay();
        SplittableRandom sky = draw(seed ^ day * 0x9E37_79B9_7F4A_7C15L, SALT_DAY);
        double kind = sky.nextDouble();
        if (kind < 0.4) {
            return 0.85 + 0.15 * sky.nextDouble();
        }
        if (kind < 0.75) {
            long slot = Math.floorDiv(t.getEpochSecond(), CLOUD_SLOT_SECONDS);
            SplittableRandom cloud = draw(seed ^ slot * 0xC2B2_AE3D_27D4_EB4FL, SALT_SLOT);
            return cloud.nextDouble() < 0.4 ? 0.25 + 0.25 * cloud.nextDouble() : 0.85 + 0.15 * cloud.nextDouble();
        }
        return 0.1 + 0.2 * sky.nextDouble();
    }

    private ZoneOffset standardOffset(Instant t) {
        return zone.getRules().getStandardOffset(t);
    }

    /** A generator for one choice of one meter: SplittableRandom mixes the seed, so neighbouring seeds draw apart. */
    private static SplittableRandom draw(long seed, long salt) {
        return new SplittableRandom(seed ^ salt);
    }
}
