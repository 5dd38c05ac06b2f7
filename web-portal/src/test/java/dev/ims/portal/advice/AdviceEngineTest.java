package dev.ims.portal.advice;

import static dev.ims.portal.advice.Profiles.flat;
import static dev.ims.portal.advice.Profiles.profile;
import static dev.ims.portal.advice.Profiles.prosumer;
import static dev.ims.portal.advice.Profiles.scaleDay;
import static dev.ims.portal.advice.Profiles.timeOfUse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.tariff.Band;
import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.HourUsage;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AdviceEngineTest {

    private final AdviceEngine engine = new AdviceEngine();

    private Advice advise(List<HourUsage> hours, TariffVersion tariff) {
        return engine.advise(new AdviceInput(hours, tariff, null, 0));
    }

    private static Optional<Suggestion> find(Advice advice, String kind) {
        return advice.suggestions().stream().filter(s -> s.kind().equals(kind)).findFirst();
    }

    @Nested
    class NotEnoughData {

        @Test
        void tenDays_explainsAndSuggestsNothing() {
            Advice a = advise(profile(400, 2000, 10), flat(0.30));

            assertThat(a.suggestions()).isEmpty();
            assertThat(a.notEnoughData()).contains("10 complete days").contains("14");
        }

        @Test
        void incompleteDaysDoNotCount() {
            List<HourUsage> hours = new ArrayList<>(profile(400, 2000, 14));
            hours.removeIf(h -> h.day().equals(Profiles.FIRST_DAY.plusDays(3)) && h.hour() < 12);

            Advice a = advise(hours, flat(0.30));

            assertThat(a.suggestions()).isEmpty();
            assertThat(a.notEnoughData()).contains("13 complete days");
        }

        @Test
        void daylightSavingDaysOf23And25HoursCount() {
            List<HourUsage> hours = new ArrayList<>(profile(400, 400, 14));
            hours.removeIf(h -> h.day().equals(Profiles.FIRST_DAY.plusDays(2)) && h.hour() == 2);
            hours.add(Profiles.hour(Profiles.FIRST_DAY.plusDays(5), 2, 0.4));

            Advice a = advise(hours, flat(0.30));

            assertThat(a.notEnoughData()).isNull();
            assertThat(find(a, Suggestion.BASE_LOAD)).isPresent();
        }

        @Test
        void fourteenDays_isEnough() {
            assertThat(advise(profile(100, 100, 14), flat(0.30)).notEnoughData()).isNull();
        }
    }

    @Nested
    class BaseLoad {

        @Test
        void base400W_flatTariff_fires() {
            Advice a = advise(profile(400, 1000, 28), flat(0.30));

            Suggestion s = find(a, Suggestion.BASE_LOAD).orElseThrow();
            // (400 - 150) W × 8760 h / 1000 = 2190 kWh; × 0.30 EUR = 657.00 EUR
            assertThat(s.kwhPerYear()).isEqualTo(2190);
            assertThat(s.moneyPerYear()).isEqualTo(657.00);
            assertThat(s.currency()).isEqualTo("EUR");
            assertThat(s.evidence()).contains("400 W").contains("28 of the last 28 nights").contains("150 W");
        }

        @Test
        void base400W_timeOfUseTariff_usesAverageEffectivePrice() {
            Advice a = advise(profile(400, 1000, 28), timeOfUse());

            Suggestion s = find(a, Suggestion.BASE_LOAD).orElseThrow();
            // week average net: (5 h × 0.40 + 19 h × 0.20) / 24 = 5.8 / 24; × 1.2 VAT = 0.29 EUR/kWh
            // 2190 kWh × 0.29 = 635.10 EUR
            assertThat(s.kwhPerYear()).isEqualTo(2190);
            assertThat(s.moneyPerYear()).isEqualTo(635.10);
        }

        @Test
        void medianOfNightlyMinima_ignoresAFewBusyNights() {
            // 28 nights at 100 W, 5 of them with 900 W all night: median minimum stays 100 W
            List<HourUsage> hours = profile(100, 100, 28);
            for (int d = 0; d < 5; d++) {
                hours = scaleDay(hours, d, 9);
            }
            assertThat(find(advise(hours, flat(0.30)), Suggestion.BASE_LOAD)).isEmpty();
        }

        @Test
        void onlyTheNightWindowCounts() {
            // 100 W from 01:00 to 05:00, 500 W at all other hours: base is 100 W
            List<HourUsage> hours = Profiles.map(profile(500, 500, 28),
                    h -> h.hour() >= 1 && h.hour() < 5 ? Profiles.hour(h.day(), h.hour(), 0.1) : h);
            assertThat(find(advise(hours, flat(0.30)), Suggestion.BASE_LOAD)).isEmpty();
        }

        @Test
        void base100W_silent() {
            assertThat(find(advise(profile(100, 1000, 28), flat(0.30)), Suggestion.BASE_LOAD)).isEmpty();
        }

        @Test
        void base150W_exactlyTypical_silent() {
            assertThat(find(advise(profile(150, 1000, 28), flat(0.30)), Suggestion.BASE_LOAD)).isEmpty();
        }
    }

    @Nested
    class ShiftToCheapHours {

        @Test
        void eveningPeakOnTimeOfUse_fires() {
            Advice a = advise(profile(100, 1100, 28), timeOfUse());

            Suggestion s = find(a, Suggestion.SHIFT_TO_CHEAP_HOURS).orElseThrow();
            // peak-priced hours 17..21; above the 100 W base: hour 17 → 0, hours 18..21 → 1.0 kWh each
            // 4 kWh × 28 days = 112 kWh; × 0.2 shiftable = 22.4 kWh; × 365 / 28 = 292 kWh a year
            // money: 292 × (0.40 − 0.20) × 1.2 = 70.08 EUR
            assertThat(s.kwhPerYear()).isEqualTo(292);
            assertThat(s.moneyPerYear()).isEqualTo(70.08);
            assertThat(s.title()).isEqualTo("Move about 292 kWh a year to cheaper hours");
            assertThat(s.evidence()).contains("112.0 kWh").contains("0.40").contains("0.20").contains("peak");
        }

        @Test
        void sameProfileOnFlatTariff_silent() {
            assertThat(find(advise(profile(100, 1100, 28), flat(0.30)), Suggestion.SHIFT_TO_CHEAP_HOURS)).isEmpty();
        }

        @Test
        void spreadBelowThreshold_silent() {
            TariffVersion narrow = new TariffVersion(Profiles.FIRST_DAY, "Narrow", "EUR", 0.20,
                    List.of(new Band("peak", 0.24, EnumSet.allOf(DayOfWeek.class), 17, 22)),
                    List.of(), 0, 20);
            assertThat(find(advise(profile(100, 1100, 28), narrow), Suggestion.SHIFT_TO_CHEAP_HOURS)).isEmpty();
        }

        @Test
        void nothingAboveBaseInPeakHours_silent() {
            assertThat(find(advise(profile(300, 300, 28), timeOfUse()), Suggestion.SHIFT_TO_CHEAP_HOURS)).isEmpty();
        }

        @Test
        void savingBelowOneEuro_silent() {
            // 4 h × 0.02 kWh × 28 = 2.24 kWh; × 0.2 × 365 / 28 = 5.84 kWh a year; × 0.2 × 1.2 = 1.40 EUR: fires
            assertThat(find(advise(profile(100, 120, 28), timeOfUse()), Suggestion.SHIFT_TO_CHEAP_HOURS)).isPresent();
            // 4 h × 0.01 kWh × 28 = 1.12 kWh; → 2.92 kWh a year; × 0.24 = 0.70 EUR: silent
            assertThat(find(advise(profile(100, 110, 28), timeOfUse()), Suggestion.SHIFT_TO_CHEAP_HOURS)).isEmpty();
        }
    }

    @Nested
    class UnusualDay {

        @Test
        void oneRecentDayAtThreeTimes_fires() {
            // a normal day: 20 h × 0.1 + 4 h × 1.1 = 6.4 kWh; day 26 of 28 at 3× = 19.2 kWh
            List<HourUsage> hours = scaleDay(profile(100, 1100, 28), 25, 3);

            Suggestion s = find(advise(hours, flat(0.30)), Suggestion.UNUSUAL_DAY).orElseThrow();
            // excess 19.2 − 6.4 = 12.8 kWh; × 365 / 28 = 166.857 → 167 kWh; × 0.30 = 50.057 → 50.06 EUR
            assertThat(s.kwhPerYear()).isEqualTo(167);
            assertThat(s.moneyPerYear()).isEqualTo(50.06);
            assertThat(s.evidence()).contains("Monday 26 October 2026").contains("19.2 kWh").contains("6.4 kWh")
                    .contains("1 of the last 7 days");
        }

        @Test
        void twoUnusualDays_sumTheirExcessAndNameTheWorst() {
            List<HourUsage> hours = scaleDay(scaleDay(profile(100, 1100, 28), 22, 2), 26, 3);

            Suggestion s = find(advise(hours, flat(0.30)), Suggestion.UNUSUAL_DAY).orElseThrow();
            // excess 6.4 + 12.8 = 19.2 kWh (both medians stay 6.4); × 365 / 28 = 250.29 → 250 kWh
            // × 0.30 = 75.086 → 75.09 EUR
            assertThat(s.kwhPerYear()).isEqualTo(250);
            assertThat(s.moneyPerYear()).isEqualTo(75.09);
            assertThat(s.evidence()).contains("Tuesday 27 October 2026").contains("2 of the last 7 days");
        }

        @Test
        void steadyDays_silent() {
            assertThat(find(advise(profile(100, 1100, 28), flat(0.30)), Suggestion.UNUSUAL_DAY)).isEmpty();
        }

        @Test
        void highDayOlderThanTheLastWeek_silent() {
            List<HourUsage> hours = scaleDay(profile(100, 1100, 28), 5, 3);
            assertThat(find(advise(hours, flat(0.30)), Suggestion.UNUSUAL_DAY)).isEmpty();
        }

        @Test
        void belowFactor_silent() {
            // 1.5 × 6.4 = 9.6 kWh: 3.2 kWh above, but not above 1.6 × 6.4 = 10.24
            List<HourUsage> hours = scaleDay(profile(100, 1100, 28), 25, 1.5);
            assertThat(find(advise(hours, flat(0.30)), Suggestion.UNUSUAL_DAY)).isEmpty();
        }

        @Test
        void smallHomeDoubling_lessThanThreeKwhAbove_silent() {
            // a normal day 24 × 0.05 = 1.2 kWh; doubled 2.4 kWh is 2× but only 1.2 kWh above
            List<HourUsage> hours = scaleDay(profile(50, 50, 28), 25, 2);
            assertThat(find(advise(hours, flat(0.30)), Suggestion.UNUSUAL_DAY)).isEmpty();
        }
    }

    @Nested
    class AboveSimilarHomes {

        // a day: 20 h × 0.1 + 4 h × 2.0 = 10 kWh
        private final List<HourUsage> tenKwhADay = profile(100, 2000, 28);

        private Optional<Suggestion> above(Double fleetMedian, int meters) {
            return find(engine.advise(new AdviceInput(tenKwhADay, flat(0.30), fleetMedian, meters)),
                    Suggestion.ABOVE_SIMILAR_HOMES);
        }

        @Test
        void twiceTheFleetMedianOf20Meters_fires() {
            Suggestion s = above(5.0, 20).orElseThrow();
            // (10 − 5) × 365 = 1825 kWh; × 0.30 = 547.50 EUR
            assertThat(s.kwhPerYear()).isEqualTo(1825);
            assertThat(s.moneyPerYear()).isEqualTo(547.50);
            assertThat(s.evidence()).contains("10.0 kWh").contains("5.0 kWh").contains("20 other homes");
        }

        @Test
        void only3Meters_silent() {
            assertThat(above(5.0, 3)).isEmpty();
        }

        @Test
        void unknownMedian_silent() {
            assertThat(above(null, 20)).isEmpty();
        }

        @Test
        void notEnoughAboveTheMedian_silent() {
            // 1.3 × 8 = 10.4 > 10
            assertThat(above(8.0, 20)).isEmpty();
        }
    }

    @Test
    void suggestionsAreSortedByMoneyDescending() {
        // base 400 W: BASE_LOAD 2190 kWh × 0.29 = 635.10; evening 2000 W on time-of-use:
        // above base 4 × 1.6 × 28 = 179.2 kWh; × 0.2 × 365 / 28 = 467.2 kWh; × 0.2 × 1.2 = 112.13 EUR
        // daily (20 × 0.4 + 4 × 2.0) = 16 kWh vs fleet 5: 11 × 365 = 4015 kWh × 0.29 = 1164.35 EUR
        Advice a = engine.advise(new AdviceInput(profile(400, 2000, 28), timeOfUse(), 5.0, 20));

        assertThat(a.suggestions()).extracting(Suggestion::kind).containsExactly(
                Suggestion.ABOVE_SIMILAR_HOMES, Suggestion.BASE_LOAD, Suggestion.SHIFT_TO_CHEAP_HOURS);
        assertThat(a.suggestions()).extracting(Suggestion::moneyPerYear).containsExactly(1164.35, 635.10, 112.13);
    }

    @Test
    void quietHome_getsNoSuggestions() {
        // 100 W all day on time-of-use: 2.4 kWh a day, nothing above base, fleet median 5
        Advice a = engine.advise(new AdviceInput(profile(100, 100, 56), timeOfUse(), 5.0, 20));
        assertThat(a.notEnoughData()).isNull();
        assertThat(a.suggestions()).isEmpty();
    }

    @Test
    void smallEveningPeak_onlyShiftFires() {
        // 300 W evening: 4 × 0.2 × 56 = 44.8 kWh; × 0.2 × 365 / 56 = 58.4 kWh; × 0.2 × 1.2 = 14.02 EUR
        Advice a = engine.advise(new AdviceInput(profile(100, 300, 56), timeOfUse(), 5.0, 20));
        assertThat(a.suggestions()).extracting(Suggestion::kind).containsExactly(Suggestion.SHIFT_TO_CHEAP_HOURS);
        assertThat(a.suggestions().get(0).kwhPerYear()).isEqualTo(58);
        assertThat(a.suggestions().get(0).moneyPerYear()).isEqualTo(14.02);
    }

    @Nested
    class Prosumers {

        /** {@link Profiles#timeOfUse()} paying 0.08 EUR for each kWh exported. */
        private TariffVersion timeOfUseWithFeedIn() {
            return timeOfUse().withFeedInPrice(0.08);
        }

        @Test
        void eveningLoad_withMiddayExport_isAdvisedToRunOnOwnSolar() {
            // 100 W base, 1100 W 18:00–22:00, exports 1.5 kWh each hour 10:00–16:00 importing nothing then.
            Advice a = advise(prosumer(100, 1100, 28, 10, 16, 1.5, 0), timeOfUseWithFeedIn());

            Suggestion s = find(a, Suggestion.SELF_CONSUMPTION).orElseThrow();
            // movable: hours 18..21, 1.0 kWh above base × 0.2 = 0.8 kWh a day × 28 = 22.4 kWh (export 252 kWh: no cap)
            // each saves 0.40 × 1.2 − 0.08 = 0.40 → 8.96 EUR; × 365 / 28 = 292 kWh and 116.80 EUR a year
            assertThat(s.kwhPerYear()).isEqualTo(292);
            assertThat(s.moneyPerYear()).isEqualTo(116.80);
            assertThat(s.title()).isEqualTo("Run about 292 kWh a year while your solar panels export");
            assertThat(s.evidence()).contains("252.0 kWh").contains("10:00").contains("16:00").contains("0.08").contains("0.40");
        }

        @Test
        void withoutAFeedInPrice_theWholeImportPriceIsSaved() {
            // as above, each kWh moved saves 0.48: 22.4 × 0.48 = 10.752 → × 365 / 28 = 140.16 EUR
            Advice a = advise(prosumer(100, 1100, 28, 10, 16, 1.5, 0), timeOfUse());
            assertThat(find(a, Suggestion.SELF_CONSUMPTION).orElseThrow().moneyPerYear()).isEqualTo(140.16);
        }

        @Test
        void littleExport_capsTheKwhMoved_andTheSavingWithIt() {
            // only hour 12 exports, 0.25 kWh a day: 7 kWh in 28 days of the 22.4 kWh movable
            // saving 8.96 × 7 / 22.4 = 2.80 → × 365 / 28: 91 kWh, 36.50 EUR a year
            Suggestion s = find(advise(prosumer(100, 1100, 28, 12, 13, 0.25, 0), timeOfUseWithFeedIn()), Suggestion.SELF_CONSUMPTION)
                    .orElseThrow();
            assertThat(s.kwhPerYear()).isEqualTo(91);
            assertThat(s.moneyPerYear()).isEqualTo(36.50);
        }

        @Test
        void exportBelowTheHourThreshold_makesNoExportHours_andNoSuggestion() {
            assertThat(find(advise(prosumer(100, 1100, 28, 12, 13, 0.1, 0), timeOfUseWithFeedIn()), Suggestion.SELF_CONSUMPTION))
                    .isEmpty();
        }

        @Test
        void feedInPaysAsMuchAsImportCosts_noSuggestion() {
            TariffVersion generous = flat(0.10).withFeedInPrice(0.10);
            assertThat(find(advise(prosumer(100, 1100, 28, 10, 16, 1.5, 0), generous), Suggestion.SELF_CONSUMPTION)).isEmpty();
        }

        @Test
        void meterThatNeverExports_getsNoSelfConsumptionAdvice() {
            for (List<HourUsage> hours : List.of(profile(100, 1100, 28), profile(400, 2000, 28), profile(100, 300, 56))) {
                assertThat(find(advise(hours, timeOfUseWithFeedIn()), Suggestion.SELF_CONSUMPTION)).isEmpty();
            }
        }

        @Test
        void loadInTheDearHours_isNotShifted_whenTheyAreExportHours() {
            // A midday peak band 10:00–16:00 at 0.40; the home uses 1.1 kWh an hour then.
            TariffVersion middayPeak = new TariffVersion(Profiles.FIRST_DAY, "Midday peak", "EUR", 0.20,
                    List.of(new Band("midday", 0.40, EnumSet.allOf(DayOfWeek.class), 10, 16)), List.of(), 0, 20, 0.08);
            // Without panels that load should move to cheaper hours ...
            List<HourUsage> consumer = Profiles.map(prosumer(100, 100, 28, 10, 16, 0, 1.1), h -> Profiles.hour(h.day(), h.hour(), h.kwh()));
            assertThat(find(advise(consumer, middayPeak), Suggestion.SHIFT_TO_CHEAP_HOURS)).isPresent();
            // ... but while the panels export in those hours it runs on their own solar: moving it would buy it.
            List<HourUsage> panels = prosumer(100, 100, 28, 10, 16, 2.0, 1.1);
            assertThat(find(advise(panels, middayPeak), Suggestion.SHIFT_TO_CHEAP_HOURS)).isEmpty();
        }

        @Test
        void theCheapHoursAdvisedAreNeverTheHoursTheyExportAnyway() {
            // Cheapest band 10:00–16:00 (0.10), peak 17:00–22:00 (0.40), other hours 0.20.
            TariffVersion solarCheap = new TariffVersion(Profiles.FIRST_DAY, "Solar hours", "EUR", 0.20,
                    List.of(new Band("solar", 0.10, EnumSet.allOf(DayOfWeek.class), 10, 16),
                            new Band("peak", 0.40, EnumSet.allOf(DayOfWeek.class), 17, 22)), List.of(), 0, 20, 0.08);
            // A home without panels is told to move its evening load to the 0.10 hours ...
            Suggestion plain = find(advise(profile(100, 1100, 28), solarCheap), Suggestion.SHIFT_TO_CHEAP_HOURS).orElseThrow();
            assertThat(plain.evidence()).contains("the cheapest hours cost 0.10");
            // ... a home that exports 10:00–16:00 is not: priced against the cheapest hours it does not export in (0.20),
            // and the solar hours are SELF_CONSUMPTION's, at their real worth (import price minus the feed-in lost).
            Advice a = advise(prosumer(100, 1100, 28, 10, 16, 1.5, 0), solarCheap);
            Suggestion shift = find(a, Suggestion.SHIFT_TO_CHEAP_HOURS).orElseThrow();
            assertThat(shift.evidence()).contains("the cheapest hours outside your solar export hours cost 0.20").doesNotContain("0.10 EUR");
            assertThat(shift.moneyPerYear()).isLessThan(plain.moneyPerYear());
            // 22.4 kWh moved in 28 days × 365 / 28 = 292 kWh a year × (0.40 − 0.20) × 1.2 = 70.08 EUR
            assertThat(shift.moneyPerYear()).isEqualTo(70.08);
        }

        @Test
        void loadInExportHours_isNeverCountedAsMovableIntoThem() {
            // All the above-base load is inside the export hours: nothing to move into them.
            List<HourUsage> hours = prosumer(100, 100, 28, 10, 16, 1.5, 1.1);
            assertThat(find(advise(hours, timeOfUseWithFeedIn()), Suggestion.SELF_CONSUMPTION)).isEmpty();
        }
    }
}
