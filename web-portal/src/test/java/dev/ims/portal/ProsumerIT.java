package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import dev.ims.model.reading.Reading;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Export (solar feed-in) in the usage API, the tariffs and the dashboard, over real HTTP on PortalIT's portal, from
 * rollups in the shape the ingest writes them ({@code minExportKwh}/{@code maxExportKwh} only where a reading carried
 * an export register).
 */
class ProsumerIT {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final List<String> PLAIN_FIELDS = List.of("period", "kwh", "cost", "currency", "fromKwh", "toKwh", "complete", "energyCost",
            "standingCharge", "vat");

    @BeforeEach
    void seed() throws Exception {
        PortalIT.start();
        for (String c : List.of(METERS, READINGS, DAILY, HOURLY, QUARTER, TARIFFS)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
        // Both meters import the same; pv-1 also exports. June 11 carries no export register (e.g. readings without it).
        hour("2026-06-09", 23, 100, 100, 50.0, 50.0);
        hour("2026-06-10", 8, 100.5, 101, 50.0, 50.0);     // import 1.0 (from 100), export 0
        hour("2026-06-10", 12, 101, 101.2, 50.5, 53.0);    // import 0.2, export 3.0 (from 50)
        hour("2026-06-10", 13, 101.2, 101.3, 53.0, 55.5);  // import 0.1, export 2.5
        hour("2026-06-11", 12, 101.3, 102, null, null);    // import 0.7, no export register
        hour("2026-06-12", 12, 102, 102.5, 56.0, 57.0);    // import 0.5, export 1.5 (bridged from 55.5 on June 10)
        StoreSeed.meter(PortalIT.db, new Document(ID, "pv-1").append(CONNECTION, "ONLINE").append(LAST_SEQ, 10L).append(LATEST, new Document(TS, new Date())
                .append(ENERGY_KWH, 103.0).append(POWER_W, 0.0).append(EXPORT_KWH, 59.0).append(EXPORT_POWER_W, 1234.0).append(STATUS, "OK")));
        StoreSeed.meter(PortalIT.db, new Document(ID, "plain-1").append(CONNECTION, "ONLINE").append(LAST_SEQ, 10L).append(LATEST, new Document(TS, new Date())
                .append(ENERGY_KWH, 103.0).append(POWER_W, 300.0).append(STATUS, "OK")));
        put("""
                {"validFrom":"2026-01-01","name":"Solar flat","currency":"EUR","pricePerKwh":0.30,"feedInPricePerKwh":0.10}""", 200);
    }

    @Test
    void dailyUsage_ofAnExportingMeter_hasExportNetAndCredit_andTheCreditComesOffTheCost() throws Exception {
        JsonNode days = PortalIT.get("/api/v1/meters/pv-1/usage?period=day&from=2026-06-10&to=2026-06-12", 200);
        assertThat(days).hasSize(3);
        JsonNode june10 = days.get(0);
        assertThat(june10.get("kwh").asDouble()).isEqualTo(1.3);
        assertThat(june10.get("exportKwh").asDouble()).isEqualTo(5.5);
        assertThat(june10.get("netKwh").asDouble()).isEqualTo(-4.2);
        assertThat(june10.get("energyCost").asDouble()).isEqualTo(0.39);
        assertThat(june10.get("credit").asDouble()).isEqualTo(0.55);
        assertThat(june10.get("cost").asDouble()).isEqualTo(-0.16);
        // a day without an export register: exactly the fields of a meter that never exports
        assertThat(fieldNames(days.get(1))).containsExactlyElementsOf(PLAIN_FIELDS);
        assertThat(days.get(1).get("cost").asDouble()).isEqualTo(0.21);
        assertThat(days.get(2).get("exportKwh").asDouble()).isEqualTo(1.5);
        assertThat(days.get(2).get("credit").asDouble()).isEqualTo(0.15);
        assertThat(days.get(2).get("cost").asDouble()).isEqualTo(0.0);
    }

    @Test
    void exportOfTheFirstDayAsked_bridgesFromTheLastEarlierExportRegister_acrossADayWithout() throws Exception {
        JsonNode day = PortalIT.get("/api/v1/meters/pv-1/usage?period=day&from=2026-06-12&to=2026-06-12", 200).get(0);
        assertThat(day.get("kwh").asDouble()).isEqualTo(0.5);
        assertThat(day.get("exportKwh").asDouble()).isEqualTo(1.5);
        assertThat(day.get("netKwh").asDouble()).isEqualTo(-1.0);
    }

    @Test
    void monthlyUsage_sumsItsDaysExportAndCredit() throws Exception {
        JsonNode month = PortalIT.get("/api/v1/meters/pv-1/usage?period=month&from=2026-06-01&to=2026-06-30", 200).get(0);
        assertThat(month.get("period").asText()).isEqualTo("2026-06");
        assertThat(month.get("kwh").asDouble()).isEqualTo(2.5);
        assertThat(month.get("exportKwh").asDouble()).isEqualTo(7.0);
        assertThat(month.get("netKwh").asDouble()).isEqualTo(-4.5);
        assertThat(month.get("credit").asDouble()).isEqualTo(0.70);
        assertThat(month.get("energyCost").asDouble()).isEqualTo(0.75);
        assertThat(month.get("cost").asDouble()).isEqualTo(0.05);
    }

    @Test
    void meterThatNeverExports_answersExactlyTheFieldsItAlwaysHad() throws Exception {
        for (String period : List.of("day", "month")) {
            JsonNode entries = PortalIT.get("/api/v1/meters/plain-1/usage?period=" + period + "&from=2026-06-01&to=2026-06-30", 200);
            assertThat(entries).isNotEmpty();
            for (JsonNode e : entries) {
                assertThat(fieldNames(e)).as(period).containsExactlyElementsOf(PLAIN_FIELDS);
            }
        }
        assertThat(PortalIT.get("/api/v1/meters/plain-1/usage?period=month&from=2026-06-01&to=2026-06-30", 200).get(0).get("cost").asDouble())
                .isEqualTo(0.75);
    }

    @Test
    void feedInPrice_isVersioned_theVersionInForceOnTheDayPays() throws Exception {
        put("""
                {"validFrom":"2026-06-12","name":"Solar flat 2","currency":"EUR","pricePerKwh":0.30,"feedInPricePerKwh":0.20}""", 200);
        JsonNode days = PortalIT.get("/api/v1/meters/pv-1/usage?period=day&from=2026-06-10&to=2026-06-12", 200);
        assertThat(days.get(0).get("credit").asDouble()).isEqualTo(0.55);
        assertThat(days.get(2).get("credit").asDouble()).isEqualTo(0.30);
    }

    @Test
    void tariffWithoutFeedInPrice_paysNothingForExport_butStillShowsIt() throws Exception {
        // A version stored before the field existed, straight into the store.
        Mono.from(PortalIT.db.getCollection(TARIFFS).drop()).block();
        PortalIT.insert(TARIFFS, Document.parse("{\"_id\":\"2026-01-01\",\"validFrom\":\"2026-01-01\",\"name\":\"Old\",\"currency\":\"EUR\","
                + "\"pricePerKwh\":0.30,\"standingChargePerDay\":0.0,\"vatPercent\":0.0,\"bands\":[],\"tiers\":[]}"));
        JsonNode june10 = PortalIT.get("/api/v1/meters/pv-1/usage?period=day&from=2026-06-10&to=2026-06-10", 200).get(0);
        assertThat(june10.get("exportKwh").asDouble()).isEqualTo(5.5);
        assertThat(june10.get("credit").asDouble()).isEqualTo(0.0);
        assertThat(june10.get("cost").asDouble()).isEqualTo(0.39);
        assertThat(PortalIT.get("/api/v1/tariffs", 200).get("versions").get(0).has("feedInPricePerKwh")).isFalse();
    }

    @Test
    void feedInPrice_isValidatedWithTheFieldNamed_andListedByTheApiAndTheStaffPage() throws Exception {
        assertThat(put("""
                {"validFrom":"2026-01-01","name":"x","currency":"EUR","pricePerKwh":0.3,"feedInPricePerKwh":-0.1}""", 400)
                .get("error").asText()).contains("feedInPricePerKwh").contains("non-negative");
        assertThat(put("""
                {"validFrom":"2026-01-01","name":"x","currency":"EUR","pricePerKwh":0.3,"feedInPricePerKwh":"0.1"}""", 400)
                .get("error").asText()).contains("feedInPricePerKwh");
        JsonNode versions = PortalIT.get("/api/v1/tariffs", 200).get("versions");
        JsonNode solar = versions.get(versions.size() - 1);
        assertThat(solar.get("validFrom").asText()).isEqualTo("2026-01-01");
        assertThat(solar.get("feedInPricePerKwh").asDouble()).isEqualTo(0.10);
        assertThat(PortalIT.getText("/staff/tariffs", 200, PortalIT.staffToken)).contains("Feed-in/kWh").contains("0.1000 EUR");
    }

    @Test
    void dashboard_ofAnExportingMeter_showsExportNetCreditAndExportPower_andAPlainMetersDoesNot() throws Exception {
        // Today: 0.5 kWh in, 2 kWh out (bridged from June 12's 57), so this month has export and credit.
        LocalDate today = LocalDate.now(BERLIN);
        hour(today.toString(), 0, 102.5, 103, 57.0, 59.0);
        hour(today.toString(), 0, "plain-1", 102.5, 103, null, null);
        String day = PortalIT.getText("/meters/pv-1?view=day&date=2026-06-10", 200, PortalIT.staffToken);
        assertThat(day).contains("id=\"export-power\">1234 W").contains("rect class=\"export\"").contains("circle class=\"net\"")
                .contains("Export (below the axis)").contains("Exported <strong>5.500 kWh</strong>, net <strong>-4.200 kWh</strong>")
                .contains("feed-in credit <strong>0.55 EUR</strong>");
        assertThat(day).contains("id=\"month-export-kwh\">2.000 kWh").contains("id=\"month-credit\">−0.20 EUR");
        String month = PortalIT.getText("/meters/pv-1?view=month&date=2026-06-10", 200, PortalIT.staffToken);
        assertThat(month).contains("<th scope=\"col\">Export</th>").contains("Exported <strong>7.000 kWh</strong>");

        String plain = PortalIT.getText("/meters/plain-1?view=day&date=2026-06-10", 200, PortalIT.staffToken);
        assertThat(plain).contains("rect class=\"bar\"").doesNotContain("export-power").doesNotContain("class=\"export\"")
                .doesNotContain("circle class=\"net\"").doesNotContain("month-credit").doesNotContain("period-export");
    }

    private static List<String> fieldNames(JsonNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** An hour of pv-1 (registers from min at :00 to max at :59, export likewise), and the same import without export for plain-1. */
    private static void hour(String day, int hour, double min, double max, Double minExport, Double maxExport) {
        hour(day, hour, "pv-1", min, max, minExport, maxExport);
        hour(day, hour, "plain-1", min, max, null, null);
    }

    private static void hour(String day, int hour, String meterId, double min, double max, Double minExport, Double maxExport) {
        Instant start = LocalDate.parse(day).atTime(hour, 0).atZone(BERLIN).toInstant();
        List<Reading> two = StoreSeed.hour(meterId, start, min, max);
        if (maxExport != null) {
            two = List.of(two.get(0).withExport(minExport, null), two.get(1).withExport(maxExport, null));
        }
        StoreSeed.store(PortalIT.db, BERLIN, two);
    }

    private static JsonNode put(String body, int status) throws Exception {
        String validFrom = Json.mapper().readTree(body).get("validFrom").asText();
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PortalIT.port + "/api/v1/tariffs/" + validFrom))
                .header("Authorization", "Bearer " + PortalIT.staffToken).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return Json.mapper().readTree(r.body());
    }
}
