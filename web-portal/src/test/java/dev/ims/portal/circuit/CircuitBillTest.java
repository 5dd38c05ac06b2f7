package dev.ims.portal.circuit;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.tariff.Band;
import dev.ims.portal.tariff.TariffBook;
import dev.ims.portal.tariff.TariffVersion;
import dev.ims.portal.tariff.HourUsage;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.util.EnumSet;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import dev.ims.store.DaySummary;
import dev.ims.store.SpanSummary;
import java.util.Random;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class CircuitBillTest {

    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final LocalDate MON = LocalDate.parse("2026-11-23");
    /** 0.30/kWh, evening peak 17–21 at 0.50, VAT 20 %, standing charge 0.40/day. */
    private static final TariffBook BOOK = new TariffBook(List.of(new TariffVersion(LocalDate.parse("2026-01-01"), "Peak", "EUR", 0.30,
            List.of(new Band("evening peak", 0.50, EnumSet.allOf(DayOfWeek.class), 17, 21)), List.of(), 0.40, 20)));

    private static HourUsage h(LocalDate day, int hour, double kwh) {
        return new HourUsage(day.atTime(hour, 0).atZone(ZONE).toInstant(), day, hour, kwh);
    }

    @Test
    void circuitsCost_isTheirHoursAtTheBandPricePlusVat_andTheRestIsTheRemainder() {
        // House: 2 kWh at 08:00 (0.60) and 3 kWh at 18:00 (1.50): energy 2.10 + standing 0.40 = 2.50, + 20 % = 3.00.
        List<HourUsage> house = List.of(h(MON, 8, 2), h(MON, 18, 3));
        Map<String, List<HourUsage>> circuits = new LinkedHashMap<>();
        circuits.put("water-heater", List.of(h(MON, 18, 2.5)));            // 2.5 × 0.50 × 1.2 = 1.50
        circuits.put("fridge", List.of(h(MON, 8, 0.05), h(MON, 18, 0.05))); // (0.015 + 0.025) × 1.2 = 0.048 → 0.05
        CircuitBill.Shares s = CircuitBill.shares(BOOK, house, circuits);
        assertThat(s.bill()).isEqualTo(3.00);
        assertThat(s.circuits()).containsEntry("water-heater", 1.50).containsEntry("fridge", 0.05);
        assertThat(s.rest()).isEqualTo(1.45);
        assertThat(s.fraction("water-heater")).isEqualTo(0.5);
        assertThat(s.currency()).isEqualTo("EUR");
    }

    @Test
    void movingACircuitsLoadOutOfThePeak_lowersItsShare_byThePriceDifferencePlusVat() {
        List<HourUsage> peak = List.of(h(MON, 18, 2.0));
        List<HourUsage> moved = List.of(h(MON, 23, 2.0));
        BigDecimal before = CircuitBill.cost(BOOK, peak);
        BigDecimal after = CircuitBill.cost(BOOK, moved);
        assertThat(before.subtract(after).doubleValue()).isEqualTo(0.48); // 2 × (0.50 − 0.30) × 1.2
    }

    @Test
    void sharesAlwaysAddUpToTheBill() {
        Random r = new Random(7);
        for (int run = 0; run < 200; run++) {
            List<HourUsage> house = new ArrayList<>();
            Map<String, List<HourUsage>> circuits = new LinkedHashMap<>(Map.of("a", new ArrayList<>(), "b", new ArrayList<>()));
            for (int d = 0; d < 3; d++) {
                for (int hour = 0; hour < 24; hour++) {
                    double a = Math.round(r.nextDouble() * 2000) / 1000.0;
                    double b = Math.round(r.nextDouble() * 500) / 1000.0;
                    house.add(h(MON.plusDays(d), hour, a + b + Math.round(r.nextDouble() * 1000) / 1000.0));
                    circuits.get("a").add(h(MON.plusDays(d), hour, a));
                    circuits.get("b").add(h(MON.plusDays(d), hour, b));
                }
            }
            CircuitBill.Shares s = CircuitBill.shares(BOOK, house, circuits);
            BigDecimal sum = BigDecimal.valueOf(s.rest());
            for (double c : s.circuits().values()) {
                sum = sum.add(BigDecimal.valueOf(c));
            }
            assertThat(sum.compareTo(BigDecimal.valueOf(s.bill()))).isZero();
            assertThat(s.rest()).isPositive();
        }
    }

    @Test
    void circuitHours_areRegisterDifferences_bridgedFromTheHourBefore_andAGapLandsInTheNextHour() {
        Instant h0 = MON.atTime(0, 0).atZone(ZONE).toInstant();
        DaySummary before = day(MON.minusDays(1), List.of(hour(h0.minusSeconds(3600), Map.of("wh", new double[] {9, 10}))));
        List<DaySummary> docs = List.of(day(MON, List.of(
                hour(h0, Map.of("wh", new double[] {10.2, 11}, "fridge", new double[] {3, 3.1})),
                hour(h0.plusSeconds(3 * 3600), Map.of("wh", new double[] {11.5, 12}, "fridge", new double[] {3.2, 3.3})))));
        Map<String, List<HourUsage>> hours = CircuitService.toHours(before, docs, ZONE);
        assertThat(hours.get("wh")).extracting(HourUsage::kwh).containsExactly(1.0, 1.0); // from 10, then across the gap from 11
        assertThat(hours.get("wh").get(1).hour()).isEqualTo(3);
        assertThat(hours.get("fridge")).extracting(HourUsage::kwh).containsExactly(0.1, 0.2); // its own first, then from 3.1
    }

    /** An hour of a day document with the circuits' register ranges (the meter's own range is not read here). */
    private static SpanSummary hour(Instant start, Map<String, double[]> circuits) {
        return new SpanSummary(start, 0, 0, null, null, new TreeMap<>(circuits));
    }

    /** A day document with {@code hours}; the day's circuit ranges span its hours'. */
    private static DaySummary day(LocalDate day, List<SpanSummary> hours) {
        Map<String, double[]> circuits = new TreeMap<>();
        for (SpanSummary h : hours) {
            h.circuits().forEach((id, r) -> circuits.merge(id, r.clone(), (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])}));
        }
        return new DaySummary("m-1", day, 0, 0, null, null, null, null, circuits, hours, List.of(), Map.of());
    }
}
