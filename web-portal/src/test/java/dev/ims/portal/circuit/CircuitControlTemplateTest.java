package dev.ims.portal.circuit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.web.Templates;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The circuit controls' markup, rendered by the portal's own template engine into a circuits table like the dashboard's. */
class CircuitControlTemplateTest {

    static final List<Map<String, Object>> CIRCUITS = List.of(
            Map.of("id", "water-heater", "name", "Water heater", "critical", false, "switchable", true),
            Map.of("id", "fridge", "name", "Fridge", "critical", true, "switchable", true),
            Map.of("id", "washer", "name", "Washing machine", "critical", false, "switchable", false));

    static String render(boolean owner, Map<String, Object> schedules) {
        Map<String, Object> model = new HashMap<>();
        model.put("circuits", CIRCUITS);
        model.put("meter", Map.of("meterId", "IMS-1"));
        model.put("csrf", "tok-123");
        model.put("circuitOwner", owner);
        model.put("circuitSchedules", schedules);
        model.put("currency", "EUR");
        return new Templates().render("circuit-control-test.ftlh", model);
    }

    @Test
    void owner_getsSwitchAndScheduleForms_withTheCsrfField_forSwitchableCircuitsOnly() {
        String html = render(true, Map.of());
        assertThat(html).contains("action=\"/meters/IMS-1/circuits/water-heater/relay\"")
                .contains("action=\"/meters/IMS-1/circuits/water-heater/schedule\"")
                .contains("name=\"csrf\" value=\"tok-123\"")
                .contains("id=\"circuit-water-heater-on\"").contains("value=\"CHEAPEST_HOURS\"");
        assertThat(html).doesNotContain("/circuits/fridge/relay").doesNotContain("/circuits/washer/relay")
                .contains("Critical: never switched remotely").contains("No relay");
        assertThat(html).doesNotContain("Remove schedule");
    }

    @Test
    void othersThanTheOwner_seeNoForms() {
        String html = render(false, Map.of());
        assertThat(html).doesNotContain("<form").doesNotContain("csrf");
    }

    @Test
    void keptSchedule_isShown_withItsStateAndWhetherItWasFollowed_andCanBeRemoved() {
        Map<String, Object> kept = Map.of("preset", "CHEAPEST_HOURS", "state", "CONFIRMED",
                "schedule", Map.of("zone", "Europe/Berlin", "windows", List.of(Map.of("from", "00:00", "to", "03:00")), "maxHoursPerDay", 3),
                "followedYesterday", Map.of("followed", false, "kwhOutside", 1.25));
        String html = render(true, Map.of("water-heater", kept));
        assertThat(html).contains("00:00–03:00, at most 3 h a day").contains("CONFIRMED")
                .contains("Followed yesterday: no (1.25 kWh outside its hours)").contains("id=\"circuit-water-heater-remove-schedule\"");
    }

    @Test
    void keptFromAdvice_showsTheDayPredicted_beforeAndAfter() {
        Map<String, Object> kept = Map.of("preset", "CHEAPEST_BAND", "state", "VERIFIED",
                "schedule", Map.of("zone", "Europe/Berlin", "windows", List.of(Map.of("from", "22:00", "to", "06:00"))),
                "predictedDay", "2026-11-27", "predictedDayKwh", 2.4, "predictedDayCostBefore", 0.8, "predictedDayCostAfter", 0.46);
        assertThat(render(true, Map.of("water-heater", kept))).contains("id=\"circuit-water-heater-predicted\"")
                .contains("<span class=\"before\">0.80</span> EUR → <span class=\"after\">0.46</span> EUR (its 2.40 kWh of 2026-11-27");
        assertThat(render(true, Map.of("water-heater", Map.of("preset", "CHEAPEST_BAND", "schedule", kept.get("schedule")))))
                .doesNotContain("circuit-water-heater-predicted");
    }
}
