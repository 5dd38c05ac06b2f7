package dev.ims.agent.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SolarModelTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private final SolarModel panels = new SolarModel(4000, BERLIN, 42);

    @Test
    void aboutOneMeterInFour_hasPanels_chosenBySeedAlone() {
        long prosumers = LongStream.range(0, 20_000).filter(seed -> SolarModel.forMeter(seed, BERLIN).isPresent()).count();
        assertThat(prosumers / 20_000.0).isBetween(0.23, 0.27);
        for (long seed = 0; seed < 200; seed++) {
            Optional<SolarModel> a = SolarModel.forMeter(seed, BERLIN);
            Optional<SolarModel> b = SolarModel.forMeter(seed, ZoneId.of("Europe/Lisbon"));
            assertThat(a.isPresent()).isEqualTo(b.isPresent());
            a.ifPresent(s -> assertThat(s.peakW()).isBetween(SolarModel.MIN_PEAK_W, SolarModel.MAX_PEAK_W)
                    .isEqualTo(b.get().peakW()));
        }
    }

    @Test
    void installations_differInSize() {
        Set<Double> peaks = new HashSet<>();
        LongStream.range(0, 400).forEach(seed -> SolarModel.forMeter(seed, BERLIN).ifPresent(s -> peaks.add(s.peakW())));
        assertThat(peaks).hasSizeGreaterThan(20);
    }

    @ParameterizedTest(name = "{0}: daylight about {1} h, peak near {2} local")
    @CsvSource({
            "2026-06-21, 16, 13:00", // summer time: solar noon at 13:00 CEST
            "2026-12-21, 8, 12:00",
            "2026-03-20, 12, 12:00",
    })
    void clearSky_isZeroAtNight_andPeaksAtSolarNoon(LocalDate day, double daylightHours, String noon) {
        Instant midnight = day.atStartOfDay(BERLIN).toInstant();
        int sunMinutes = 0;
        double best = 0;
        Instant bestAt = null;
        for (int m = 0; m < 24 * 60; m++) {
            Instant t = midnight.plus(Duration.ofMinutes(m));
            double w = panels.clearSkyW(t);
            assertThat(w).isBetween(0.0, panels.peakW());
            if (w > 0) {
                sunMinutes++;
            }
            if (w > best) {
                best = w;
                bestAt = t;
            }
        }
        assertThat(sunMinutes / 60.0).isCloseTo(daylightHours, org.assertj.core.data.Offset.offset(0.6));
        assertThat(bestAt.atZone(BERLIN).toLocalTime().toString()).isEqualTo(noon);
        assertThat(panels.clearSkyW(midnight)).isZero();
        assertThat(panels.clearSkyW(midnight.plus(Duration.ofHours(3)))).isZero();
        assertThat(panels.clearSkyW(midnight.plus(Duration.ofHours(23)))).isZero();
    }

    @Test
    void summerNoon_isAFewKilowatts_andWellAboveWinterNoon() {
        double summer = panels.clearSkyW(Instant.parse("2026-06-21T11:00:00Z"));
        double winter = panels.clearSkyW(Instant.parse("2026-12-21T11:00:00Z"));
        assertThat(summer).isCloseTo(4000, org.assertj.core.data.Offset.offset(10.0));
        assertThat(winter).isBetween(0.2 * summer, 0.45 * summer);
    }

    @Test
    void clouds_neverAddOutput_varyFromDayToDay_andRepeatForTheSameInstant() {
        Set<Long> dailyKwh = new HashSet<>();
        Instant start = Instant.parse("2026-05-01T00:00:00Z");
        for (int d = 0; d < 30; d++) {
            double wh = 0;
            for (int m = 0; m < 24 * 60; m += 5) {
                Instant t = start.plus(Duration.ofDays(d)).plus(Duration.ofMinutes(m));
                double w = panels.powerW(t);
                assertThat(w).isBetween(0.0, panels.clearSkyW(t) + 0.05).isEqualTo(new SolarModel(4000, BERLIN, 42).powerW(t));
                wh += w * 5 / 60;
            }
            dailyKwh.add(Math.round(wh / 1000));
        }
        // clear May days near 28 kWh, overcast ones a few: not one curve for every day
        assertThat(dailyKwh).hasSizeGreaterThan(5);
        assertThat(dailyKwh.stream().mapToLong(Long::longValue).max().getAsLong()).isGreaterThan(18);
        assertThat(dailyKwh.stream().mapToLong(Long::longValue).min().getAsLong()).isLessThan(10);
    }

    @Test
    void anotherSeed_hasOtherClouds() {
        SolarModel other = new SolarModel(4000, BERLIN, 43);
        long differ = LongStream.range(0, 60)
                .mapToObj(d -> Instant.parse("2026-05-01T11:00:00Z").plus(Duration.ofDays(d)))
                .filter(t -> panels.powerW(t) != other.powerW(t)).count();
        assertThat(differ).isGreaterThan(40);
    }
}
