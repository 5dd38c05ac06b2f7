package dev.ims.portal.advice;

import static dev.ims.portal.advice.Profiles.FIRST_DAY;
import static dev.ims.portal.advice.Profiles.hour;
import static dev.ims.portal.advice.Profiles.profile;
import static dev.ims.portal.advice.Profiles.timeOfUse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.tariff.HourUsage;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The load-shift suggestion with circuit data: names the switchable, non-critical circuit with the most peak-band kWh
 * and offers CHEAPEST_BAND with the saving of moving exactly those kWh. Figures under {@link Profiles#timeOfUse()}:
 * 0.20 EUR/kWh, peak 17:00–22:00 at 0.40, 20 % VAT; the cheapest band is every hour outside the peak, at 0.20.
 */
class AdviceWithCircuitsTest {

    private final AdviceEngine engine = new AdviceEngine();

    /** {@code kwh} in each of the local hours given, every one of {@code days} days. */
    private static List<HourUsage> daily(int days, Map<Integer, Double> kwhByHour) {
        List<HourUsage> out = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            for (int h = 0; h < 24; h++) {
                out.add(hour(FIRST_DAY.plusDays(d), h, kwhByHour.getOrDefault(h, 0.0)));
            }
        }
        return out;
    }

    private Suggestion shift(List<CircuitUsage> circuits) {
        Advice a = engine.advise(new AdviceInput(profile(100, 1100, 28), timeOfUse(), null, 0, circuits));
        return a.suggestions().stream().filter(s -> s.kind().equals(Suggestion.SHIFT_TO_CHEAP_HOURS)).findFirst().orElseThrow();
    }

    @Test
    void namesTheSwitchableCircuitWithTheMostPeakKwh_andOffersTheCheapestBand_withItsMonthlySaving() {
        Suggestion s = shift(List.of(
                new CircuitUsage("fridge", "Fridge", true, true, daily(28, Map.of(18, 3.0, 19, 3.0))),              // critical
                new CircuitUsage("washer", "Washing machine", false, false, daily(28, Map.of(19, 3.0))),           // no relay
                new CircuitUsage("ev", "EV charger", true, false, daily(28, Map.of(18, 0.5, 2, 7.0))),
                new CircuitUsage("water-heater", "Water heater", true, false, daily(28, Map.of(19, 1.0, 20, 1.0, 3, 0.5)))));

        // Water heater: 2 kWh a day in the peak (19:00, 20:00; its 03:00 half is already cheap) × 28 days = 56 kWh,
        // per month 56 × (365/12) / 28 = 60.83 → 60.8 kWh. Moved into the cheapest band: (0.40 − 0.20) × 1.2 = 0.24 EUR
        // a kWh: 56 × 0.24 = 13.44 EUR in 28 days, × (365/12) / 28 = 14.60 EUR a month.
        // Its last complete day (day 27): 2 kWh at 0.40 and 0.5 kWh at 0.20, with VAT (0.80 + 0.10) × 1.2 = 1.08 EUR; the
        // same 2.5 kWh in the cheapest band: 2.5 × 0.20 × 1.2 = 0.60 EUR, 0.48 EUR less a day.
        assertThat(s.action()).isEqualTo(new Suggestion.Action("water-heater", "Water heater", "CHEAPEST_BAND", 60.8, 14.60,
                new Suggestion.DayPrediction(FIRST_DAY.plusDays(27), 2.5, 1.08, 0.60)));
        assertThat(s.action().lastDay().saving()).isEqualTo(0.48);
        assertThat(s.title()).isEqualTo("Your Water heater uses 60.8 kWh a month in the peak hours: run it in the cheapest hours");
        assertThat(s.evidence()).contains("Your Water heater used 56.0 kWh of it").contains("14.60 EUR a month less");
        // The house-level estimate stays what it was without circuit data.
        assertThat(s.kwhPerYear()).isEqualTo(292);
        assertThat(s.moneyPerYear()).isEqualTo(70.08);
    }

    @Test
    void theSavingCountsOnlyCompleteDays_andWeighsEachHoursOwnPrice() {
        // 17:00 is peak-priced too; a day the house has no complete data for (day 28, beyond the house's days) is ignored.
        List<HourUsage> heater = new ArrayList<>(daily(28, Map.of(17, 0.5)));
        heater.add(hour(FIRST_DAY.plusDays(28), 17, 9.0));
        Suggestion s = shift(List.of(new CircuitUsage("water-heater", "Water heater", true, false, heater)));
        // 0.5 × 28 = 14 kWh → 14 × 30.4167 / 28 = 15.2 kWh a month; 14 × 0.24 = 3.36 EUR → 3.65 EUR a month
        assertThat(s.action().peakKwhPerMonth()).isEqualTo(15.2);
        assertThat(s.action().estimatedSavingPerMonth()).isEqualTo(3.65);
    }

    @Test
    void theDayPrediction_pricesTheCircuitsLastCompleteDay_hourByHour_roundedOnceToCents() {
        List<HourUsage> heater = new ArrayList<>();
        for (HourUsage h : daily(28, Map.of(19, 1.0))) {
            LocalDate day = h.day();
            if (day.equals(FIRST_DAY.plusDays(27)) && h.hour() < 4) {
                continue; // the circuit's last day lacks four hours: not complete, so the day before is priced
            }
            heater.add(day.equals(FIRST_DAY.plusDays(26)) ? hour(day, h.hour(), Map.of(19, 1.3, 18, 0.7, 2, 0.15).getOrDefault(h.hour(), 0.0)) : h);
        }
        heater.add(hour(FIRST_DAY.plusDays(28), 19, 9.0)); // beyond the house's complete days: ignored
        Suggestion s = shift(List.of(new CircuitUsage("water-heater", "Water heater", true, false, heater)));

        // Day 26: 2.0 kWh at 0.40 and 0.15 kWh at 0.20 → (0.80 + 0.03) × 1.2 = 0.996 → 1.00 EUR; in the cheapest band
        // 2.15 × 0.20 × 1.2 = 0.516 → 0.52 EUR; 0.48 EUR less.
        Suggestion.DayPrediction d = s.action().lastDay();
        assertThat(d.day()).isEqualTo(FIRST_DAY.plusDays(26));
        assertThat(d.kwh()).isEqualTo(2.15);
        assertThat(d.cost()).isEqualTo(1.00);
        assertThat(d.costInPresetHours()).isEqualTo(0.52);
        assertThat(d.saving()).isEqualTo(0.48);
    }

    @Test
    void withoutAnyCompleteDayOfTheCircuit_theOfferHasNoDayPrediction() {
        List<HourUsage> heater = daily(28, Map.of(19, 1.0)).stream().filter(h -> h.hour() >= 2).toList(); // 22 hours a day
        Suggestion s = shift(List.of(new CircuitUsage("water-heater", "Water heater", true, false, heater)));
        assertThat(s.action()).isNotNull();
        assertThat(s.action().lastDay()).isNull();
    }

    @Test
    void noCircuitUsingThePeak_orOnlyCriticalOnes_leavesTheSuggestionWithoutAction() {
        Suggestion cheapOnly = shift(List.of(new CircuitUsage("water-heater", "Water heater", true, false, daily(28, Map.of(2, 2.0)))));
        assertThat(cheapOnly.action()).isNull();
        assertThat(cheapOnly.title()).isEqualTo("Move about 292 kWh a year to cheaper hours");

        Suggestion criticalOnly = shift(List.of(new CircuitUsage("medical", "Oxygen concentrator", true, true, daily(28, Map.of(19, 1.0)))));
        assertThat(criticalOnly.action()).isNull();
    }

    @Test
    void withoutCircuits_theSuggestionIsAsBefore() {
        assertThat(shift(List.of())).isEqualTo(engine.advise(new AdviceInput(profile(100, 1100, 28), timeOfUse(), null, 0))
                .suggestions().stream().filter(x -> x.kind().equals(Suggestion.SHIFT_TO_CHEAP_HOURS)).findFirst().orElseThrow());
        assertThat(shift(List.of()).action()).isNull();
    }
}
