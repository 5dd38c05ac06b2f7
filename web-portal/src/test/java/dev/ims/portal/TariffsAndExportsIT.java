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
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Mono;

/** Tariffs as staff edit them, costs they produce, peak demand and CSV exports, over real HTTP on PortalIT's portal. */
class TariffsAndExportsIT {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @BeforeEach
    void clean() throws Exception {
        PortalIT.start();
        for (String c : List.of(METERS, READINGS, DAILY, HOURLY, QUARTER, TARIFFS)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
        // 2026-11-10 (a Tuesday): 1 kWh at 03:00, 2 kWh at 18:00, 1 kWh at 22:00 local.
        LocalDate day = LocalDate.parse("2026-11-10");
        PortalIT.hour("m-1", day.atTime(0, 0).atZone(BERLIN).toInstant(), 100, 100);
        PortalIT.hour("m-1", day.atTime(3, 0).atZone(BERLIN).toInstant(), 100.5, 101);
        PortalIT.hour("m-1", day.atTime(18, 0).atZone(BERLIN).toInstant(), 102, 103);
        PortalIT.hour("m-1", day.atTime(22, 0).atZone(BERLIN).toInstant(), 103.5, 104);
        StoreSeed.meter(PortalIT.db, new Document(ID, "m-1").append(CONNECTION, "ONLINE"));
    }

    @Test
    void timeOfUseTariff_withStandingChargeAndVat_pricesEachHourByItsBand() throws Exception {
        put("2026-01-01", """
                {"validFrom":"2026-01-01","name":"Dual","currency":"EUR","pricePerKwh":0.30,"standingChargePerDay":0.50,
                 "vatPercent":20,"bands":[{"name":"peak","pricePerKwh":0.40,"fromHour":17,"toHour":21},
                 {"name":"night","pricePerKwh":0.10,"fromHour":22,"toHour":6}]}""", PortalIT.staffToken, 200);
        JsonNode d = PortalIT.get("/api/v1/meters/m-1/usage?period=day&from=2026-11-10&to=2026-11-10", 200).get(0);
        // 00:00 is the meter's first hour (0 kWh); 03:00 1 kWh night 0.10; 18:00 2 kWh peak 0.80; 22:00 1 kWh night 0.10.
        assertThat(d.get("kwh").asDouble()).isEqualTo(4.0);
        assertThat(d.get("energyCost").asDouble()).isEqualTo(1.00);
        assertThat(d.get("standingCharge").asDouble()).isEqualTo(0.50);
        assertThat(d.get("vat").asDouble()).isEqualTo(0.30);
        assertThat(d.get("cost").asDouble()).isEqualTo(1.80);
    }

    @Test
    void correctingAVersion_repricesTheDaysItCovers_andANewVersionAppliesFromItsDate() throws Exception {
        put("2026-01-01", flat("2026-01-01", 0.25), PortalIT.staffToken, 200);
        assertThat(cost("2026-11-10")).isEqualTo(1.00);
        put("2026-01-01", flat("2026-01-01", 0.50), PortalIT.staffToken, 200);
        assertThat(cost("2026-11-10")).isEqualTo(2.00);
        put("2026-11-11", flat("2026-11-11", 1.00), PortalIT.staffToken, 200);
        assertThat(cost("2026-11-10")).isEqualTo(2.00);
        JsonNode versions = PortalIT.get("/api/v1/tariffs", 200).get("versions");
        assertThat(versions).extracting(v -> v.get("validFrom").asText()).contains("2026-01-01", "2026-11-11");
    }

    @Test
    void tariffs_areWrittenByStaffOnly_andValidatedWithTheFieldNamed() throws Exception {
        String consumer = PortalIT.login(AccountsIT.Browser.signUp("tariff-" + System.nanoTime() % 100000).username, AccountsIT.Browser.PASSWORD);
        assertThat(put("2026-01-01", flat("2026-01-01", 0.1), consumer, 403).get("error").asText()).isEqualTo("staff only");
        assertThat(put("2026-01-01", "{\"validFrom\":\"2026-01-01\",\"name\":\"x\",\"currency\":\"EUR\",\"pricePerKwh\":-1}",
                PortalIT.staffToken, 400).get("error").asText()).contains("pricePerKwh");
        assertThat(put("2026-01-01", "{\"validFrom\":\"2026-01-01\",\"name\":\"x\",\"currency\":\"EUR\",\"pricePerKwh\":0.2,"
                + "\"bands\":[{\"name\":\"b\",\"pricePerKwh\":0.1,\"fromHour\":25,\"toHour\":3}]}", PortalIT.staffToken, 400)
                .get("error").asText()).contains("fromHour");
        assertThat(put("2026-01-02", flat("2026-01-01", 0.2), PortalIT.staffToken, 400).get("error").asText()).contains("path");
        assertThat(put("2026-01-01", "{not json", PortalIT.staffToken, 400).get("error").asText()).contains("not valid JSON");
    }

    @Test
    void peakDemand_isTheHighestQuarterHourAverage_notAGapSpanningOne() throws Exception {
        Instant q = LocalDate.parse("2026-11-10").atTime(18, 0).atZone(BERLIN).toInstant();
        quarter(q, 10.0, 10.0);
        quarter(q.plusSeconds(900), 10.2, 10.5);          // 0.5 kWh in 15 min = 2 kW
        quarter(q.plusSeconds(1800), 10.6, 10.75);        // 0.25 kWh = 1 kW
        quarter(q.plusSeconds(7200), 20.0, 20.1);         // after a 1h15 gap: only its own 0.1 kWh = 0.4 kW
        JsonNode peaks = PortalIT.get("/api/v1/meters/m-peak/peaks?from=2026-11-01&to=2026-11-30", 200);
        assertThat(peaks).hasSize(1);
        assertThat(peaks.get(0).get("month").asText()).isEqualTo("2026-11");
        assertThat(peaks.get(0).get("kw").asDouble()).isEqualTo(2.0);
        assertThat(peaks.get(0).get("start").asText()).isEqualTo(q.plusSeconds(900).toString());
    }

    @Test
    void readingsCsv_streamsEveryReadingOfTheRange_inOrder() throws Exception {
        Instant t = LocalDate.parse("2026-11-10").atStartOfDay(BERLIN).toInstant();
        List<dev.ims.model.reading.Reading> seeded = new java.util.ArrayList<>();
        for (int i = 0; i < 1234; i++) {
            seeded.add(new dev.ims.model.reading.Reading("m-csv", i, t.plusSeconds(60L * i), 100 + i * 0.001, null, null, null,
                    dev.ims.model.reading.MeterStatus.OK, null, dev.ims.model.reading.RelayState.ON, Map.of()));
        }
        // Out of order, as a backlog may arrive: the file is in time order whatever the order of storing.
        java.util.Collections.shuffle(seeded, new java.util.Random(3));
        StoreSeed.store(PortalIT.db, BERLIN, seeded.subList(0, 600));
        StoreSeed.store(PortalIT.db, BERLIN, seeded.subList(600, seeded.size()));
        HttpResponse<String> r = raw("/api/v1/meters/m-csv/readings.csv?from=2026-11-10&to=2026-11-10");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains("attachment"));
        List<String> lines = r.body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("meterId,seq,ts,energyKwh,powerW,voltageV,currentA,status,fault,relay");
        assertThat(lines).hasSize(1 + 1234);
        assertThat(lines.get(1)).startsWith("m-csv,0," + t + ",100.0,").endsWith(",OK,,ON");
        assertThat(lines.get(1234)).startsWith("m-csv,1233,");
        for (int i = 1; i < lines.size(); i++) {
            assertThat(lines.get(i)).startsWith("m-csv," + (i - 1) + ",");
        }
        assertThat(raw("/api/v1/meters/m-csv/readings.csv?from=2026-11-11").body().lines().count()).isEqualTo(1);
        assertThat(raw("/api/v1/meters/m-csv/readings.csv?from=2026-11-10T10:00:00Z&to=2026-11-10T10:10:00Z").body().lines().count())
                .isEqualTo(1 + 10);
    }

    @Test
    void usageCsv_hasTheApisFigures() throws Exception {
        put("2026-01-01", flat("2026-01-01", 0.25), PortalIT.staffToken, 200);
        List<String> lines = raw("/api/v1/meters/m-1/usage.csv?period=day&from=2026-11-01&to=2026-11-30").body().lines().toList();
        assertThat(lines.get(0)).isEqualTo("period,kwh,cost,currency,energyCost,standingCharge,vat,fromKwh,toKwh,complete");
        assertThat(lines.get(1)).startsWith("2026-11-10,4.0,1.0,EUR,");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/meters/m-1?view=week                          | 400",
        "/meters/m-1?date=2999-01-01                    | 400",
        "/meters/m-1?date=not-a-day                     | 400",
        "/api/v1/meters/m-1/usage?period=day&from=1990-01-01&to=2026-01-01 | 400",
        "/api/v1/meters/m-1/peaks?from=2026-12-01&to=2026-01-01 | 400",
        "/api/v1/meters/m-1/readings.csv?from=yesterday | 400",
    })
    void badParameters_areClear400s(String path, int status) throws Exception {
        assertThat(PortalIT.getText(path, status, PortalIT.staffToken)).doesNotContain("Exception");
    }

    @Test
    void dashboard_showsTheMonthBill_chartAndNoAdviceWithoutEnoughData() throws Exception {
        String page = PortalIT.getText("/meters/m-1?view=month&date=2026-11-10", 200, PortalIT.staffToken);
        assertThat(page).contains("Daily units in November 2026").contains("<svg").contains("rect class=\"bar\"")
                .contains("id=\"bill-to-date\"").contains("id=\"advice-none\"").contains("need");
        String day = PortalIT.getText("/meters/m-1?view=day&date=2026-11-10", 200, PortalIT.staffToken);
        assertThat(day).contains("Hourly units on Tue 10 Nov 2026").contains("Total <strong>4.000 kWh</strong>");
    }

    private static double cost(String day) throws Exception {
        return PortalIT.get("/api/v1/meters/m-1/usage?period=day&from=" + day + "&to=" + day, 200).get(0).get("cost").asDouble();
    }

    private static String flat(String from, double price) {
        return "{\"validFrom\":\"" + from + "\",\"name\":\"Flat\",\"currency\":\"EUR\",\"pricePerKwh\":" + price + "}";
    }

    /** A quarter hour of meter m-peak whose register went from {@code min} at its start to {@code max} at its 14th minute. */
    private static void quarter(Instant start, double min, double max) {
        StoreSeed.store(PortalIT.db, BERLIN, StoreSeed.span("m-peak", start, java.time.Duration.ofMinutes(15), min, max));
    }

    private static JsonNode put(String validFrom, String body, String token, int status) throws Exception {
        HttpResponse<String> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PortalIT.port + "/api/v1/tariffs/" + validFrom))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return Json.mapper().readTree(r.body());
    }

    private static HttpResponse<String> raw(String path) throws Exception {
        return PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PortalIT.port + path))
                .header("Authorization", "Bearer " + PortalIT.staffToken).build(), HttpResponse.BodyHandlers.ofString());
    }
}
