package dev.ims.portal.tariff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PricingTest {

    private static final ZoneId ZONE = ZoneId.of("Europe/Vienna");
    private static final LocalDate JAN_1 = LocalDate.parse("2026-01-01");
    private static final Set<DayOfWeek> ALL_DAYS = EnumSet.allOf(DayOfWeek.class);
    private static final Band NIGHT = new Band("night", 0.18, ALL_DAYS, 22, 6);
    private static final Band WEEKEND = new Band("weekend", 0.15, EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), 0, 24);

    private static HourUsage at(String day, int hour, double kwh) {
        LocalDate d = LocalDate.parse(day);
        return new HourUsage(d.atTime(hour, 0).atZone(ZONE).toInstant(), d, hour, kwh);
    }

    /** Every local hour of {@code day} (23, 24 or 25 of them), each with {@code kwh}. */
    private static List<HourUsage> wholeDay(String day, double kwh) {
        LocalDate d = LocalDate.parse(day);
        List<HourUsage> hours = new ArrayList<>();
        ZonedDateTime end = d.plusDays(1).atStartOfDay(ZONE);
        for (ZonedDateTime t = d.atStartOfDay(ZONE); t.isBefore(end); t = t.plusHours(1)) {
            hours.add(new HourUsage(t.toInstant(), d, t.getHour(), kwh));
        }
        return hours;
    }

    private static TariffVersion version(double price, List<Band> bands, List<Tier> tiers, double standing, double vat) {
        return new TariffVersion(JAN_1, "Test rate", "EUR", price, bands, tiers, standing, vat);
    }

    private static TariffBook book(TariffVersion... versions) {
        return new TariffBook(List.of(versions));
    }

    private static DayCost single(TariffBook book, HourUsage... hours) {
        List<DayCost> days = Pricing.priceDays(book, List.of(hours));
        assertThat(days).hasSize(1);
        return days.get(0);
    }

    @Test
    void flatDay_pricesEveryKwhAtTheOnePrice() {
        TariffBook flat = book(TariffVersion.flat(JAN_1, "EUR", 0.30));

        DayCost cost = single(flat, at("2026-02-10", 0, 1.5), at("2026-02-10", 13, 2.5));

        // (1.5 + 2.5) kWh × 0.30 = 1.20
        assertThat(cost).isEqualTo(new DayCost(LocalDate.parse("2026-02-10"), 4.0, 1.20, 0, 0, 1.20, "EUR", "Flat rate"));
    }

    @Test
    void flatDay_withoutConsumption_costsNothing() {
        DayCost cost = single(book(TariffVersion.flat(JAN_1, "EUR", 0.30)), at("2026-02-10", 5, 0));

        assertThat(cost.kwh()).isZero();
        assertThat(cost.total()).isZero();
    }

    @Test
    void dayKwh_isRoundedToThreeDecimals() {
        DayCost cost = single(book(TariffVersion.flat(JAN_1, "EUR", 0)), at("2026-02-10", 1, 1.2345), at("2026-02-10", 2, 1));

        assertThat(cost.kwh()).isEqualTo(2.235); // 2.2345 HALF_UP
    }

    @ParameterizedTest(name = "{0} {1}:00 → {2}")
    @CsvSource({
        // day (2026-03-06 is a Friday), hour, energy of 2.0 kWh
        "2026-03-06, 22, 0.36", // night starts: 2.0 × 0.18
        "2026-03-06, 21, 0.60", // the hour before night: 2.0 × 0.30
        "2026-03-06, 23, 0.36", // night before midnight
        "2026-03-07, 0, 0.36", // night after midnight wins over the weekend band (first match)
        "2026-03-06, 5, 0.36", // night's last hour
        "2026-03-06, 6, 0.60", // toHour is exclusive
        "2026-03-07, 12, 0.30", // Saturday: 2.0 × 0.15
        "2026-03-08, 21, 0.30", // Sunday
        "2026-03-06, 12, 0.60", // Friday is no weekend
        "2026-03-09, 12, 0.60", // neither is Monday
    })
    void touBand_pricesHourByBandOfItsHourAndWeekday(String day, int hour, double energy) {
        TariffBook tou = book(version(0.30, List.of(NIGHT, WEEKEND), List.of(), 0, 0));

        assertThat(single(tou, at(day, hour, 2.0)).energy()).isEqualTo(energy);
    }

    @Test
    void tieredDay_crossingTierLimit_splitsKwhAcrossBlocks() {
        TariffBook tiered = book(version(0.30, List.of(), List.of(new Tier(10.0, 0.20, null), new Tier(null, 0.40, null)), 0, 0));

        DayCost cost = single(tiered, at("2026-02-01", 0, 8), at("2026-02-01", 1, 5));

        // 8 × 0.20 + (2 × 0.20 + 3 × 0.40) = 1.60 + 0.40 + 1.20
        assertThat(cost.energy()).isEqualTo(3.20);
    }

    @Test
    void tieredDay_endingExactlyOnTierLimit_staysInFirstBlock() {
        TariffBook tiered = book(version(0.30, List.of(), List.of(new Tier(10.0, 0.20, null), new Tier(null, 0.40, null)), 0, 0));

        DayCost cost = single(tiered, at("2026-02-01", 0, 8), at("2026-02-01", 1, 2));

        assertThat(cost.energy()).isEqualTo(2.00); // 10 × 0.20
    }

    @Test
    void surchargeTier_addsToBandPrice() {
        TariffBook book = book(version(0.30, List.of(NIGHT),
                List.of(new Tier(5.0, null, 0.0), new Tier(null, null, 0.05)), 0, 0));

        DayCost cost = single(book, at("2026-02-02", 23, 10));

        // night 0.18: 5 × 0.18 + 5 × (0.18 + 0.05) = 0.90 + 1.15
        assertThat(cost.energy()).isEqualTo(2.05);
    }

    @Test
    void priceTier_replacesBandPrice() {
        TariffBook book = book(version(0.30, List.of(NIGHT),
                List.of(new Tier(5.0, null, 0.0), new Tier(null, 0.40, null)), 0, 0));

        DayCost cost = single(book, at("2026-02-02", 23, 10));

        // 5 × 0.18 + 5 × 0.40 = 0.90 + 2.00
        assertThat(cost.energy()).isEqualTo(2.90);
    }

    @Test
    void kwhBeyondLastLimitedTier_arePricedAtBandPrice() {
        TariffBook book = book(version(0.30, List.of(), List.of(new Tier(5.0, 0.10, null)), 0, 0));

        DayCost cost = single(book, at("2026-02-02", 12, 7));

        assertThat(cost.energy()).isEqualTo(1.10); // 5 × 0.10 + 2 × 0.30
    }

    @Test
    void tiers_resetAtNewMonth() {
        TariffBook tiered = book(version(0.30, List.of(), List.of(new Tier(10.0, 0.20, null), new Tier(null, 0.40, null)), 0, 0));

        List<DayCost> days = Pricing.priceDays(tiered, List.of(at("2026-01-31", 23, 12), at("2026-02-01", 0, 3)));

        assertThat(days).extracting(DayCost::energy).containsExactly(
                2.80, // 10 × 0.20 + 2 × 0.40
                0.60); // February starts again in the first block: 3 × 0.20
    }

    @Test
    void tiers_carryOverDaysWithinAMonth() {
        TariffBook tiered = book(version(0.30, List.of(), List.of(new Tier(10.0, 0.20, null), new Tier(null, 0.40, null)), 0, 0));

        List<DayCost> days = Pricing.priceDays(tiered, List.of(at("2026-01-30", 23, 12), at("2026-01-31", 0, 3)));

        assertThat(days).extracting(DayCost::energy).containsExactly(2.80, 1.20); // second day: 3 × 0.40
    }

    @Test
    void standingAndVat_areAddedAndRoundedHalfUp() {
        TariffBook book = book(version(0.30, List.of(), List.of(), 0.45, 20));

        DayCost cost = single(book, at("2026-02-10", 12, 3.35));

        // energy 3.35 × 0.30 = 1.005 → 1.01; net 1.01 + 0.45 = 1.46; × 1.20 = 1.752 → 1.75; VAT 1.75 − 1.46
        assertThat(cost).isEqualTo(new DayCost(LocalDate.parse("2026-02-10"), 3.35, 1.01, 0.45, 0.29, 1.75, "EUR", "Test rate"));
    }

    @Test
    void standingAndVat_roundDownBelowHalfCent() {
        TariffBook book = book(version(0.30, List.of(), List.of(), 0.44, 10));

        DayCost cost = single(book, at("2026-02-10", 12, 3.34));

        // energy 3.34 × 0.30 = 1.002 → 1.00; net 1.44; × 1.10 = 1.584 → 1.58; VAT 0.14
        assertThat(cost).extracting(DayCost::energy, DayCost::standing, DayCost::vat, DayCost::total)
                .containsExactly(1.00, 0.44, 0.14, 1.58);
    }

    @Test
    void totalOnHalfCent_roundsUp() {
        TariffBook book = book(version(0.30, List.of(), List.of(), 0.44, 10));

        DayCost cost = single(book, at("2026-02-10", 12, 3.35));

        // energy 1.01; net 1.45; × 1.10 = 1.595 → 1.60; VAT 0.15
        assertThat(cost).extracting(DayCost::energy, DayCost::vat, DayCost::total).containsExactly(1.01, 0.15, 1.60);
    }

    @Test
    void dayWithoutConsumption_stillPaysStandingCharge() {
        TariffBook book = book(version(0.30, List.of(), List.of(), 0.45, 0));

        DayCost cost = single(book, at("2026-02-10", 3, 0));

        assertThat(cost.total()).isEqualTo(0.45);
    }

    @Test
    void dayMissingFromInput_isNotPricedAtAll() {
        TariffBook book = book(version(0.30, List.of(), List.of(), 0.45, 0));

        List<DayCost> days = Pricing.priceDays(book, List.of(at("2026-02-10", 3, 1), at("2026-02-12", 3, 1)));

        assertThat(days).extracting(DayCost::day)
                .containsExactly(LocalDate.parse("2026-02-10"), LocalDate.parse("2026-02-12"));
        assertThat(Pricing.priceDays(book, List.of())).isEmpty();
    }

    @Test
    void partsOfADay_addUpExactlyToTotal_forManyRandomInputs() {
        Random random = new Random(20260101);
        double[] vatRates = {0, 5, 7.7, 10, 19, 20, 21, 25};
        for (int n = 0; n < 2000; n++) {
            List<Tier> tiers = random.nextBoolean()
                    ? List.of()
                    : List.of(new Tier(1 + random.nextInt(20) / 2.0, null, 0.0), new Tier(null, null, random.nextInt(100) / 1000.0));
            TariffVersion v = version(random.nextInt(1000) / 1000.0, List.of(NIGHT), tiers,
                    random.nextInt(100_000) / 100_000.0, vatRates[random.nextInt(vatRates.length)]);
            List<HourUsage> hours = new ArrayList<>();
            for (int h = 0; h < 24; h++) {
                if (random.nextInt(3) > 0) {
                    hours.add(at("2026-02-10", h, random.nextInt(5000) / 1000.0));
                }
            }
            if (hours.isEmpty()) {
                hours.add(at("2026-02-10", 0, 0));
            }

            DayCost c = single(book(v), hours.toArray(HourUsage[]::new));

            BigDecimal energy = BigDecimal.valueOf(c.energy());
            BigDecimal standing = BigDecimal.valueOf(c.standing());
            BigDecimal vat = BigDecimal.valueOf(c.vat());
            BigDecimal total = BigDecimal.valueOf(c.total());
            assertThat(List.of(energy, standing, vat, total)).allSatisfy(m -> assertThat(m.scale()).isLessThanOrEqualTo(2));
            assertThat(energy.add(standing).add(vat)).isEqualByComparingTo(total);
            double unrounded = (c.energy() + c.standing()) * (1 + v.vatPercent() / 100);
            assertThat(c.total()).isCloseTo(unrounded, org.assertj.core.data.Offset.offset(0.0050001));
        }
    }

    @Test
    void versionSwitch_onItsValidFromDay_pricesDayBeforeByOldAndDayOfByNew() {
        TariffBook book = book(
                new TariffVersion(JAN_1, "Old", "EUR", 0.30, List.of(), List.of(), 0, 0),
                new TariffVersion(LocalDate.parse("2026-03-01"), "New", "EUR", 0.25, List.of(), List.of(), 0, 0));

        List<DayCost> days = Pricing.priceDays(book, List.of(at("2026-02-28", 12, 2), at("2026-03-01", 12, 2)));

        assertThat(days).extracting(DayCost::tariffName, DayCost::energy).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Old", 0.60), // 2 × 0.30
                org.assertj.core.groups.Tuple.tuple("New", 0.50)); // 2 × 0.25
    }

    @Test
    void correctingAVersionWithWith_repricesOnlyTheDaysItCovers() {
        TariffBook book = book(
                new TariffVersion(JAN_1, "Old", "EUR", 0.30, List.of(), List.of(), 0, 0),
                new TariffVersion(LocalDate.parse("2026-03-01"), "Spring", "EUR", 0.25, List.of(), List.of(), 0, 0),
                new TariffVersion(LocalDate.parse("2026-04-01"), "April", "EUR", 0.40, List.of(), List.of(), 0, 0));
        List<HourUsage> hours = List.of(
                at("2026-02-28", 12, 2), at("2026-03-01", 12, 2), at("2026-03-31", 12, 2), at("2026-04-01", 12, 2));

        TariffBook corrected =
                book.with(new TariffVersion(LocalDate.parse("2026-03-01"), "Spring", "EUR", 0.20, List.of(), List.of(), 0, 0));

        assertThat(Pricing.priceDays(corrected, hours)).extracting(DayCost::energy)
                .containsExactly(0.60, 0.40, 0.40, 0.80); // 2 × 0.30, 2 × 0.20, 2 × 0.20, 2 × 0.40
        assertThat(Pricing.priceDays(book, hours)).extracting(DayCost::energy)
                .containsExactly(0.60, 0.50, 0.50, 0.80);
    }

    @Test
    void fallBackDay_pricesAll25HoursIncludingTheRepeatedOne() {
        TariffBook book = book(version(0.30, List.of(NIGHT), List.of(), 0.45, 0));
        List<HourUsage> hours = wholeDay("2026-10-25", 1.0);
        assertThat(hours).hasSize(25);
        assertThat(hours).filteredOn(h -> h.hour() == 2).hasSize(2);

        DayCost cost = single(book, hours.toArray(HourUsage[]::new));

        // night hours 0, 1, 2, 2, 3, 4, 5, 22, 23 = 9 × 0.18 = 1.62; hours 6..21 = 16 × 0.30 = 4.80
        assertThat(cost).extracting(DayCost::kwh, DayCost::energy, DayCost::standing, DayCost::total)
                .containsExactly(25.0, 6.42, 0.45, 6.87);
    }

    @Test
    void ordinaryDay_pricesIts24Hours() {
        TariffBook book = book(version(0.30, List.of(NIGHT), List.of(), 0.45, 0));

        DayCost cost = single(book, wholeDay("2026-10-24", 1.0).toArray(HourUsage[]::new));

        // night hours 0..5, 22, 23 = 8 × 0.18 = 1.44; 16 × 0.30 = 4.80
        assertThat(cost).extracting(DayCost::kwh, DayCost::energy, DayCost::total).containsExactly(24.0, 6.24, 6.69);
    }

    @Test
    void hoursOutOfOrder_areRefused() {
        TariffBook flat = book(TariffVersion.flat(JAN_1, "EUR", 0.30));

        assertThatThrownBy(() -> Pricing.priceDays(flat, List.of(at("2026-02-10", 5, 1), at("2026-02-10", 4, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ascending");
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"1.005, 1.01", "1.0049, 1.00", "2.675, 2.68", "0.125, 0.13", "0.124, 0.12", "3, 3.00"})
    void roundCents_roundsTheDecimalValueHalfUp(double amount, double cents) {
        assertThat(Pricing.roundCents(amount)).isEqualTo(cents);
    }

    @Test
    void bandShares_sumKwhPerBandAndStandardForUncoveredHours() {
        TariffVersion v = version(0.30, List.of(NIGHT, WEEKEND), List.of(), 0, 0);

        Map<String, Double> shares = Pricing.bandShares(v, List.of(
                at("2026-03-06", 23, 1.5), // Friday night
                at("2026-03-07", 0, 0.25), // Saturday, but night comes first
                at("2026-03-07", 12, 2.0), // Saturday day
                at("2026-03-06", 12, 0.25), // Friday day: no band
                at("2026-03-06", 13, 0.5)));

        assertThat(shares).containsExactly(
                Map.entry("night", 1.75), Map.entry("weekend", 2.0), Map.entry("standard", 0.75));
    }

    @Test
    void bandShares_withoutHours_areAllZero() {
        TariffVersion v = version(0.30, List.of(NIGHT), List.of(), 0, 0);

        assertThat(Pricing.bandShares(v, List.of())).containsExactly(Map.entry("night", 0.0), Map.entry("standard", 0.0));
    }

    private static HourUsage exporting(String day, int hour, double kwh, double exportKwh) {
        LocalDate d = LocalDate.parse(day);
        return new HourUsage(d.atTime(hour, 0).atZone(ZONE).toInstant(), d, hour, kwh, exportKwh);
    }

    @Test
    void export_earnsTheFeedInPrice_untaxed_andComesOffTheTotal() {
        TariffBook b = book(version(0.30, List.of(), List.of(), 0.50, 20).withFeedInPrice(0.08));

        DayCost cost = single(b, exporting("2026-06-10", 8, 1.0, 0.0), exporting("2026-06-10", 12, 0.5, 3.0),
                exporting("2026-06-10", 13, 0.5, 2.25));

        // import 2 kWh × 0.30 = 0.60, standing 0.50, VAT 20 % of 1.10 = 0.22 → 1.32; export 5.25 kWh × 0.08 = 0.42
        assertThat(cost.energy()).isEqualTo(0.60);
        assertThat(cost.vat()).isEqualTo(0.22);
        assertThat(cost.exportKwh()).isEqualTo(5.25);
        assertThat(cost.credit()).isEqualTo(0.42);
        assertThat(cost.total()).isEqualTo(0.90);
    }

    @Test
    void export_withoutAFeedInPrice_earnsNothing_butIsCounted() {
        DayCost cost = single(book(version(0.30, List.of(), List.of(), 0, 0)), exporting("2026-06-10", 12, 1.0, 4.0));
        assertThat(cost.exportKwh()).isEqualTo(4.0);
        assertThat(cost.credit()).isZero();
        assertThat(cost.total()).isEqualTo(0.30);
    }

    @Test
    void dayWithoutExport_hasNoExportAndNoCredit_evenWithAFeedInPrice() {
        DayCost cost = single(book(version(0.30, List.of(), List.of(), 0, 0).withFeedInPrice(0.1)), at("2026-06-10", 12, 1.0));
        assertThat(cost).isEqualTo(new DayCost(LocalDate.parse("2026-06-10"), 1.0, 0.30, 0, 0, 0.30, "EUR", "Test rate"));
    }

    @Test
    void creditLargerThanTheBill_makesTheDayNegative() {
        DayCost cost = single(book(version(0.20, List.of(), List.of(), 0, 0).withFeedInPrice(0.10)), exporting("2026-06-10", 12, 1.0, 10.0));
        assertThat(cost.total()).isEqualTo(-0.80);
    }

    @Test
    void feedInPrice_isTheOneOfTheVersionInForceThatDay() {
        TariffVersion first = version(0.30, List.of(), List.of(), 0, 0).withFeedInPrice(0.05);
        TariffVersion second = new TariffVersion(LocalDate.parse("2026-06-11"), "Later", "EUR", 0.30, List.of(), List.of(), 0, 0, 0.12);
        List<DayCost> days = Pricing.priceDays(book(first, second),
                List.of(exporting("2026-06-10", 12, 0, 2.0), exporting("2026-06-11", 12, 0, 2.0)));
        assertThat(days).extracting(DayCost::credit).containsExactly(0.10, 0.24);
    }

    @Test
    void export_doesNotCountTowardTheMonthsImportTiers() {
        TariffVersion tiered = version(0.30, List.of(), List.of(new Tier(1.0, 0.10, null)), 0, 0).withFeedInPrice(0.05);
        List<DayCost> days = Pricing.priceDays(book(tiered),
                List.of(exporting("2026-06-10", 12, 0.5, 100.0), exporting("2026-06-11", 12, 0.5, 0.0)));
        // both 0.5 kWh fall into the first 1 kWh tier at 0.10, however much was exported
        assertThat(days).extracting(DayCost::energy).containsExactly(0.05, 0.05);
    }

    @Test
    void partsAlwaysAddUpToTheTotal_withExport() {
        Random random = new Random(7);
        TariffBook b = book(version(0.2713, List.of(NIGHT), List.of(), 0.377, 19).withFeedInPrice(0.0813));
        for (int run = 0; run < 200; run++) {
            List<HourUsage> hours = new ArrayList<>();
            for (int h = 0; h < 24; h++) {
                hours.add(exporting("2026-06-10", h, random.nextInt(3000) / 1000.0, random.nextInt(4000) / 1000.0));
            }
            DayCost c = single(b, hours.toArray(HourUsage[]::new));
            BigDecimal parts = BigDecimal.valueOf(c.energy()).add(BigDecimal.valueOf(c.standing())).add(BigDecimal.valueOf(c.vat()))
                    .subtract(BigDecimal.valueOf(c.credit()));
            assertThat(parts.compareTo(BigDecimal.valueOf(c.total()))).isZero();
        }
    }
}
