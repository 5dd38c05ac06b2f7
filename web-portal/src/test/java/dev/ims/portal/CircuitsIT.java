package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * A meter's circuits over real HTTP on PortalIT's portal, from documents in the shape the ingest writes them (the
 * newest birth's descriptions on the meter, {@code latest.circuits}, {@code circuits.<id>.minKwh/maxKwh} in hourly
 * rollups): the overview with each circuit's share of the bill, one circuit's usage, and the dashboard's section.
 *
 * <p>Figures (today, tariff 0.30/kWh, night band 0–6 at 0.10, VAT 10 %, standing charge 0.50/day): the house uses 3 + 2
 * kWh at night and 1 kWh at 08:00 (bill 0.80 + 0.50 + 10 % = 1.43); the water heater 2 + 1.5 kWh at night
 * (3.5 × 0.10 × 1.1 = 0.385 → 0.39); the fridge 0.1 + 0.1 at night and 0.1 at 08:00 ((0.02 + 0.03) × 1.1 = 0.055 → 0.06);
 * the rest of the house 1.43 − 0.39 − 0.06 = 0.98 for 6 − 3.8 = 2.2 kWh.
 */
class CircuitsIT {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @BeforeEach
    void seed() throws Exception {
        PortalIT.start();
        for (String c : List.of(METERS, READINGS, DAILY, HOURLY, QUARTER, TARIFFS)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
        List<Document> descriptions = List.of(
                new Document(CIRCUIT_ID, "water-heater").append(NAME, "Water heater").append(KIND, "WATER_HEATER")
                        .append(CRITICAL, false).append(SWITCHABLE, true),
                new Document(CIRCUIT_ID, "fridge").append(NAME, "Fridge").append(KIND, "FRIDGE").append(CRITICAL, true).append(SWITCHABLE, true));
        List<Document> latest = List.of(
                new Document(CIRCUIT_ID, "water-heater").append(POWER_W, 2400.0).append(ENERGY_KWH, 13.5).append(RELAY, "ON"),
                new Document(CIRCUIT_ID, "fridge").append(POWER_W, 0.0).append(ENERGY_KWH, 5.3).append(RELAY, "ON"));
        LocalDate today = LocalDate.now(BERLIN);
        hour(today, 0, 100, 103, Map.of("water-heater", new double[] {10, 12}, "fridge", new double[] {5.0, 5.1}));
        hour(today, 1, 103, 105, Map.of("water-heater", new double[] {12, 13.5}, "fridge", new double[] {5.1, 5.2}));
        hour(today, 8, 105.5, 106, Map.of("fridge", new double[] {5.25, 5.3}));
        StoreSeed.meter(PortalIT.db, new Document(ID, "circ-1").append(CONNECTION, "ONLINE").append(LAST_SEQ, 10L)
                .append(CIRCUITS, new Document(AT, new Date()).append(LIST, descriptions))
                .append(LATEST, new Document(TS, new Date()).append(ENERGY_KWH, 106.0).append(POWER_W, 2600.0).append(STATUS, "OK")
                        .append(CIRCUITS, latest)));
        StoreSeed.meter(PortalIT.db, new Document(ID, "plain-2").append(CONNECTION, "ONLINE").append(LAST_SEQ, 10L)
                .append(LATEST, new Document(TS, new Date()).append(ENERGY_KWH, 106.0).append(POWER_W, 300.0).append(STATUS, "OK")));
        put("""
                {"validFrom":"2020-01-01","name":"Night rate","currency":"EUR","pricePerKwh":0.30,"standingChargePerDay":0.50,"vatPercent":10,
                 "bands":[{"name":"night","pricePerKwh":0.10,"fromHour":0,"toHour":6}]}""");
    }

    @Test
    void overview_listsEachCircuit_withItsStateUseAndShareOfTheBill_andTheRestOfTheHouseTakesTheRemainder() throws Exception {
        JsonNode o = PortalIT.get("/api/v1/meters/circ-1/circuits", 200);
        assertThat(o.get("currency").asText()).isEqualTo("EUR");
        assertThat(o.get("monthBill").asDouble()).isEqualTo(1.43);
        assertThat(o.get("monthKwh").asDouble()).isEqualTo(6.0);
        JsonNode wh = o.get("circuits").get(0);
        assertThat(wh.get("id").asText()).isEqualTo("water-heater");
        assertThat(wh.get("name").asText()).isEqualTo("Water heater");
        assertThat(wh.get("kind").asText()).isEqualTo("WATER_HEATER");
        assertThat(wh.get("relay").asText()).isEqualTo("ON");
        assertThat(wh.get("powerW").asDouble()).isEqualTo(2400.0);
        assertThat(wh.get("todayKwh").asDouble()).isEqualTo(3.5);
        assertThat(wh.get("monthKwh").asDouble()).isEqualTo(3.5);
        assertThat(wh.get("monthCost").asDouble()).isEqualTo(0.39);
        assertThat(wh.get("shareOfBill").asDouble()).isEqualTo(0.2727);
        assertThat(wh.get("schedule").isNull()).isTrue();
        JsonNode fridge = o.get("circuits").get(1);
        assertThat(fridge.get("critical").asBoolean()).isTrue();
        assertThat(fridge.get("monthKwh").asDouble()).isEqualTo(0.3);
        assertThat(fridge.get("monthCost").asDouble()).isEqualTo(0.06);
        assertThat(o.get("restOfHouseKwh").asDouble()).isEqualTo(2.2);
        assertThat(o.get("restOfHouseCost").asDouble()).isEqualTo(0.98);
    }

    @Test
    void meterWithoutCircuits_hasAnEmptyOverview_andAnUnknownMeterIsNotFound() throws Exception {
        JsonNode o = PortalIT.get("/api/v1/meters/plain-2/circuits", 200);
        assertThat(o.get("circuits")).isEmpty();
        PortalIT.get("/api/v1/meters/nobody-1/circuits", 404);
    }

    @Test
    void circuitUsage_perHourAndPerDay_isPricedByTheBandOfEachHour() throws Exception {
        LocalDate today = LocalDate.now(BERLIN);
        JsonNode hours = PortalIT.get("/api/v1/meters/circ-1/circuits/fridge/usage?period=hour&from=" + today + "&to=" + today, 200);
        assertThat(hours).hasSize(3);
        assertThat(hours.get(0).get("period").asText()).isEqualTo(today.atStartOfDay(BERLIN).toInstant().toString());
        assertThat(hours.get(0).get("kwh").asDouble()).isEqualTo(0.1);
        assertThat(hours.get(0).get("cost").asDouble()).isEqualTo(0.01); // 0.011
        assertThat(hours.get(2).get("cost").asDouble()).isEqualTo(0.03); // 0.1 × 0.30 × 1.1 = 0.033
        JsonNode days = PortalIT.get("/api/v1/meters/circ-1/circuits/water-heater/usage?period=day&from=" + today + "&to=" + today, 200);
        assertThat(days).hasSize(1);
        assertThat(days.get(0).get("period").asText()).isEqualTo(today.toString());
        assertThat(days.get(0).get("kwh").asDouble()).isEqualTo(3.5);
        assertThat(days.get(0).get("cost").asDouble()).isEqualTo(0.39);
        assertThat(days.get(0).get("currency").asText()).isEqualTo("EUR");
    }

    @Test
    void circuitUsage_refusesBadParameters_andUnknownCircuits() throws Exception {
        PortalIT.get("/api/v1/meters/circ-1/circuits/sauna/usage", 404);
        PortalIT.get("/api/v1/meters/circ-1/circuits/Bad_Id/usage", 400);
        PortalIT.get("/api/v1/meters/circ-1/circuits/fridge/usage?period=week", 400);
        PortalIT.get("/api/v1/meters/circ-1/circuits/fridge/usage?period=hour&from=2026-01-01&to=2026-03-01", 400);
        PortalIT.get("/api/v1/meters/circ-1/circuits/fridge/usage?period=day&from=2026-03-01&to=2026-01-01", 400);
    }

    @Test
    void dashboard_showsTheCircuitsSection_withAControlCellPerCircuit_andAPlainMeterHasNone() throws Exception {
        String page = PortalIT.getText("/meters/circ-1", 200, PortalIT.staffToken);
        assertThat(page).contains("id=\"circuits-h\">Circuits</h2>")
                .contains("<td class=\"circuit-control\" data-circuit=\"water-heater\"></td>")
                .contains("<td class=\"circuit-control\" data-circuit=\"fridge\"></td>")
                .contains("Fridge <span class=\"critical\"")
                .contains("0.39 EUR (27 %)")
                .contains("2400 W")
                .contains("3.500 kWh")
                .contains("id=\"circuits-chart-title\">Today&#39;s use per circuit")
                .contains("<caption>Today&#39;s use per circuit");
        assertThat(page.indexOf("<svg", page.indexOf("id=\"circuits-h\""))).isPositive();
        String plain = PortalIT.getText("/meters/plain-2", 200, PortalIT.staffToken);
        assertThat(plain).doesNotContain("circuits-h").doesNotContain("circuit-control");
    }

    /** An hour whose registers (the meter's and each circuit's) went from their min at :00 to their max at :59. */
    private static void hour(LocalDate day, int hour, double min, double max, Map<String, double[]> circuits) {
        Instant start = day.atTime(hour, 0).atZone(BERLIN).toInstant();
        List<dev.ims.model.reading.Reading> two = new java.util.ArrayList<>(StoreSeed.hour("circ-1", start, min, max));
        for (int i = 0; i < two.size(); i++) {
            for (Map.Entry<String, double[]> c : new java.util.TreeMap<>(circuits).entrySet()) {
                two.set(i, StoreSeed.withCircuit(two.get(i), c.getKey(), c.getValue()[i]));
            }
        }
        StoreSeed.store(PortalIT.db, BERLIN, two);
    }

    private static void put(String body) throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PortalIT.port + "/api/v1/tariffs/2020-01-01"))
                .header("Authorization", "Bearer " + PortalIT.staffToken).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
