package dev.ims.portal.advice;

import static dev.ims.portal.advice.Profiles.FIRST_DAY;
import static dev.ims.portal.advice.Profiles.hour;
import static dev.ims.portal.advice.Profiles.profile;
import static dev.ims.portal.advice.Profiles.timeOfUse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.usage.HourUsage;
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
        assertThat(s.action()).isEqualTo(new Suggestion.Action("water-heater", "Water heater", "CHEAPEST_BAND", 60.8, 14.60));
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
