package dev.ims.portal.tariff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ims.model.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class TariffCodecTest {

    private static final String VALID = """
            {"versions":[{"validFrom":"2026-01-01","name":"Home dual rate","currency":"EUR","pricePerKwh":0.30,
              "standingChargePerDay":0.45,"vatPercent":20,
              "bands":[{"name":"night","pricePerKwh":0.18,"fromHour":22,"toHour":6},
                       {"name":"weekend","pricePerKwh":0.15,"days":["WEEKEND"],"fromHour":0,"toHour":24}],
              "tiers":[{"upToKwh":200,"surchargePerKwh":0},{"upToKwh":null,"surchargePerKwh":0.05}]},
             {"validFrom":"2026-07-01","name":"Flat","currency":"EUR","pricePerKwh":0.31}]}
            """;

    private static TariffBook read(String json) {
        return TariffCodec.readBook(json.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #VALID} with its first {@code from} replaced by {@code to}. */
    private static String valid(String from, String to) {
        assertThat(VALID).contains(from);
        return VALID.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    @Test
    void validBook_isReadFieldByField() {
        TariffBook book = read(VALID);

        TariffVersion v = book.versions().get(0);
        assertThat(v).isEqualTo(new TariffVersion(LocalDate.parse("2026-01-01"), "Home dual rate", "EUR", 0.30,
                List.of(new Band("night", 0.18, EnumSet.allOf(DayOfWeek.class), 22, 6),
                        new Band("weekend", 0.15, EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), 0, 24)),
                List.of(new Tier(200.0, null, 0.0), new Tier(null, null, 0.05)),
                0.45, 20));
    }

    @Test
    void omittedOptionalFields_areEmptyOrZero() {
        TariffVersion v = read(VALID).versions().get(1);

        assertThat(v).isEqualTo(
                new TariffVersion(LocalDate.parse("2026-07-01"), "Flat", "EUR", 0.31, List.of(), List.of(), 0, 0));
    }

    @Test
    void writtenBook_readsBackEqual() {
        TariffBook book = read(VALID).with(new TariffVersion(LocalDate.parse("2027-01-01"), "Odd days", "CHF", 0.2,
                List.of(new Band("midweek", 0.1, EnumSet.of(DayOfWeek.TUESDAY, DayOfWeek.THURSDAY), 9, 17),
                        new Band("weekdays", 0.25, EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), 17, 20)),
                List.of(new Tier(100.5, 0.12, null), new Tier(300.0, null, -0.01)), 0.123, 7.7));

        TariffBook again = TariffCodec.readBook(TariffCodec.writeBook(book));

        assertThat(again).isEqualTo(book);
    }

    @Test
    void writtenVersion_readsBackEqual() {
        TariffVersion v = read(VALID).versions().get(0);

        JsonNode node = TariffCodec.writeVersion(v);

        assertThat(TariffCodec.readVersion(node)).isEqualTo(v);
        assertThat(node.get("bands").get(1).get("days").get(0).asText()).isEqualTo("WEEKEND");
        assertThat(node.get("bands").get(0).has("days")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"WEEKDAYS\"                   | MONDAY,TUESDAY,WEDNESDAY,THURSDAY,FRIDAY",
        "\"weekend\"                    | SATURDAY,SUNDAY",
        "\"mon\",\"Wed\"                | MONDAY,WEDNESDAY",
        "\"FRIDAY\",\"sunday\"          | FRIDAY,SUNDAY",
        "\"WEEKEND\",\"FRI\"            | FRIDAY,SATURDAY,SUNDAY",
    })
    void bandDays_acceptNamesShortFormsAndShorthands(String days, String expected) {
        Band band = read(valid("\"days\":[\"WEEKEND\"]", "\"days\":[" + days + "]")).versions().get(0).bands().get(1);

        Set<DayOfWeek> want = EnumSet.noneOf(DayOfWeek.class);
        for (String d : expected.split(",")) {
            want.add(DayOfWeek.valueOf(d));
        }
        assertThat(band.days()).isEqualTo(want);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"MO\"       | versions[0].bands[1].days[0] must be a weekday",
        "\"WEEKDAY\"  | versions[0].bands[1].days[0] must be a weekday",
        "\"MON\",1    | versions[0].bands[1].days[1] must be a weekday",
    })
    void bandDays_refuseAnythingElse(String days, String message) {
        assertThatThrownBy(() -> read(valid("\"days\":[\"WEEKEND\"]", "\"days\":[" + days + "]")))
                .isInstanceOf(TariffException.class)
                .hasMessageStartingWith(message);
    }

    static Stream<Arguments> invalidBooks() {
        return Stream.of(
                Arguments.of("unknown root field", valid("{\"versions\"", "{\"owner\":1,\"versions\""),
                        "owner is not a known field"),
                Arguments.of("unknown version field", valid("\"vatPercent\":20", "\"vatPercent\":20,\"vat\":20"),
                        "versions[0].vat is not a known field"),
                Arguments.of("unknown band field", valid("\"toHour\":24", "\"toHour\":24,\"colour\":\"red\""),
                        "versions[0].bands[1].colour is not a known field"),
                Arguments.of("unknown tier field", valid("\"surchargePerKwh\":0}", "\"surchargePerKwh\":0,\"up\":1}"),
                        "versions[0].tiers[0].up is not a known field"),
                Arguments.of("price as string", valid("\"pricePerKwh\":0.30", "\"pricePerKwh\":\"0.30\""),
                        "versions[0].pricePerKwh must be a non-negative number"),
                Arguments.of("negative price", valid("\"pricePerKwh\":0.30", "\"pricePerKwh\":-0.30"),
                        "versions[0].pricePerKwh must be a non-negative number"),
                Arguments.of("bands not an array", valid("\"pricePerKwh\":0.31}", "\"pricePerKwh\":0.31,\"bands\":{}}"),
                        "versions[1].bands must be an array"),
                Arguments.of("name a number", valid("\"name\":\"night\"", "\"name\":7"),
                        "versions[0].bands[0].name must be a non-blank string"),
                Arguments.of("missing name", valid("\"name\":\"Flat\",", ""),
                        "versions[1].name is required"),
                Arguments.of("vat over 100", valid("\"vatPercent\":20", "\"vatPercent\":120"),
                        "versions[0].vatPercent must be a number from 0 to 100"),
                Arguments.of("fromHour 24", valid("\"fromHour\":22", "\"fromHour\":24"),
                        "versions[0].bands[0].fromHour must be a whole number 0..23"),
                Arguments.of("fromHour -1", valid("\"fromHour\":22", "\"fromHour\":-1"),
                        "versions[0].bands[0].fromHour must be a whole number 0..23"),
                Arguments.of("fromHour fraction", valid("\"fromHour\":22", "\"fromHour\":21.5"),
                        "versions[0].bands[0].fromHour must be a whole number 0..23"),
                Arguments.of("fromHour string", valid("\"fromHour\":22", "\"fromHour\":\"22\""),
                        "versions[0].bands[0].fromHour must be a whole number 0..23"),
                Arguments.of("toHour 0", valid("\"toHour\":24", "\"toHour\":0"),
                        "versions[0].bands[1].toHour must be a whole number 1..24"),
                Arguments.of("lower-case currency", valid("\"currency\":\"EUR\"", "\"currency\":\"eur\""),
                        "versions[0].currency must be an ISO 4217 currency code"),
                Arguments.of("unknown currency", valid("\"currency\":\"EUR\"", "\"currency\":\"EUX\""),
                        "versions[0].currency must be an ISO 4217 currency code"),
                Arguments.of("long currency", valid("\"currency\":\"EUR\"", "\"currency\":\"EURO\""),
                        "versions[0].currency must be an ISO 4217 currency code"),
                Arguments.of("bad date", valid("\"2026-07-01\"", "\"2026-13-01\""),
                        "versions[1].validFrom must be a date"),
                Arguments.of("duplicate validFrom", valid("\"2026-07-01\"", "\"2026-01-01\""),
                        "versions[1].validFrom 2026-01-01 is already the validFrom of versions[0]"),
                Arguments.of("tier with price and surcharge",
                        valid("\"upToKwh\":200,\"surchargePerKwh\":0", "\"upToKwh\":200,\"surchargePerKwh\":0,\"pricePerKwh\":1"),
                        "versions[0].tiers[0] needs exactly one of pricePerKwh or surchargePerKwh"),
                Arguments.of("open tier not last", valid("\"upToKwh\":200", "\"upToKwh\":null"),
                        "versions[0].tiers[0].upToKwh may be null only on the last tier"),
                Arguments.of("tiers descending", valid("\"upToKwh\":null", "\"upToKwh\":100"),
                        "versions[0].tiers[1].upToKwh must be greater than the previous tier's"),
                Arguments.of("negative feed-in price", valid("\"vatPercent\":20", "\"vatPercent\":20,\"feedInPricePerKwh\":-0.01"),
                        "versions[0].feedInPricePerKwh must be a non-negative number"),
                Arguments.of("feed-in price as string", valid("\"vatPercent\":20", "\"vatPercent\":20,\"feedInPricePerKwh\":\"0.08\""),
                        "versions[0].feedInPricePerKwh must be a non-negative number"),
                Arguments.of("no versions", "{\"versions\":[]}", "versions must list at least one version"),
                Arguments.of("not an object", "[]", "tariff must be a JSON object"),
                Arguments.of("truncated JSON", VALID.substring(0, 40), "tariff is not valid JSON: "),
                Arguments.of("duplicate key", valid("\"vatPercent\":20", "\"vatPercent\":20,\"vatPercent\":10"),
                        "tariff is not valid JSON: "),
                Arguments.of("trailing garbage", VALID + "}", "tariff is not valid JSON: "),
                Arguments.of("empty", "", "tariff must be a JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBooks")
    void invalidBook_isRefusedNamingTheField(String what, String json, String message) {
        assertThatThrownBy(() -> read(json))
                .isExactlyInstanceOf(TariffException.class)
                .hasMessageStartingWith(message)
                .hasNoCause();
    }

    @Test
    void readVersion_pathsStartAtItsFields() throws Exception {
        JsonNode node = Json.mapper().readTree("{\"validFrom\":\"2026-01-01\",\"name\":\"x\",\"currency\":\"EUR\","
                + "\"pricePerKwh\":0.3,\"bands\":[{\"name\":\"n\",\"pricePerKwh\":0.1,\"fromHour\":25,\"toHour\":6}]}");

        assertThatThrownBy(() -> TariffCodec.readVersion(node))
                .isInstanceOf(TariffException.class)
                .hasMessageStartingWith("bands[0].fromHour must be a whole number 0..23");
    }

    @Test
    void nullBytes_areRefused() {
        assertThatThrownBy(() -> TariffCodec.readBook(null)).isInstanceOf(TariffException.class);
    }

    @Test
    void feedInPrice_isReadWhenGiven_andAbsentOrNullMeansNone() {
        TariffBook book = read(valid("\"vatPercent\":20", "\"vatPercent\":20,\"feedInPricePerKwh\":0.082"));
        assertThat(book.versions().get(0).feedInPricePerKwh()).isEqualTo(0.082);
        assertThat(book.versions().get(1).feedInPricePerKwh()).isNull();
        assertThat(read(valid("\"vatPercent\":20", "\"vatPercent\":20,\"feedInPricePerKwh\":null")).versions().get(0)
                .feedInPricePerKwh()).isNull();
        assertThat(read(valid("\"vatPercent\":20", "\"vatPercent\":20,\"feedInPricePerKwh\":0")).versions().get(0)
                .feedInPrice()).isZero();
    }

    @Test
    void feedInPrice_roundTrips_andIsNotWrittenWhenAbsent() {
        TariffBook book = read(valid("\"vatPercent\":20", "\"vatPercent\":20,\"feedInPricePerKwh\":0.07"));
        assertThat(TariffCodec.readBook(TariffCodec.writeBook(book))).isEqualTo(book);
        assertThat(TariffCodec.writeVersion(book.versions().get(0)).get("feedInPricePerKwh").asDouble()).isEqualTo(0.07);
        assertThat(TariffCodec.writeVersion(book.versions().get(1)).has("feedInPricePerKwh")).isFalse();
    }

    @Test
    void feedInPrice_outOfRange_isRefusedByTheVersionItself() {
        TariffVersion v = read(VALID).versions().get(1);
        assertThatThrownBy(() -> v.withFeedInPrice(-1.0)).isInstanceOf(TariffException.class).hasMessageContaining("feedInPricePerKwh");
        assertThatThrownBy(() -> v.withFeedInPrice(Double.NaN)).isInstanceOf(TariffException.class);
        assertThatThrownBy(() -> v.withFeedInPrice(Double.POSITIVE_INFINITY)).isInstanceOf(TariffException.class);
    }
}
