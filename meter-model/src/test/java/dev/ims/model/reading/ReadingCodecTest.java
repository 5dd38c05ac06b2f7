package dev.ims.model.reading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ReadingCodecTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:00Z");
    private final ReadingCodec codec = new ReadingCodec(ReadingLimits.DEFAULTS, Clock.fixed(NOW, ZoneOffset.UTC));

    private static final String VALID = """
            {"meterId":"IMS-01JD3T9K2Q","seq":1042,"ts":"2026-11-24T10:15:00Z","energyKwh":1523.482,
             "powerW":812.5,"voltageV":231.2,"currentA":3.51,"status":"OK","fault":null,"relay":"ON"}""";

    @Test
    void validReading_decodesEveryField() {
        Reading r = codec.decode("IMS-01JD3T9K2Q", bytes(VALID));
        assertThat(r.meterId()).isEqualTo("IMS-01JD3T9K2Q");
        assertThat(r.seq()).isEqualTo(1042);
        assertThat(r.ts()).isEqualTo(NOW);
        assertThat(r.energyKwh()).isEqualTo(1523.482);
        assertThat(r.powerW()).isEqualTo(812.5);
        assertThat(r.voltageV()).isEqualTo(231.2);
        assertThat(r.currentA()).isEqualTo(3.51);
        assertThat(r.status()).isEqualTo(MeterStatus.OK);
        assertThat(r.fault()).isNull();
        assertThat(r.relay()).isEqualTo(RelayState.ON);
    }

    @Test
    void encodeThenDecode_givesTheSameReading_withUnknownFieldsKept() {
        Reading r = new Reading("m-1", 7, NOW, 12.5, null, 230.0, null, MeterStatus.FAULT, FaultCode.TAMPER,
                RelayState.OFF, Map.of("firmware", "1.2.3"));
        Reading back = codec.decode("m-1", codec.encode(r));
        assertThat(back).isEqualTo(r);
        assertThat(new String(codec.encode(r), StandardCharsets.UTF_8)).contains("\"firmware\":\"1.2.3\"");
    }

    @Test
    void reading_withExport_decodesRegisterAndPower_notAsExtras() {
        String json = VALID.replace("\"relay\":\"ON\"}", "\"relay\":\"ON\",\"exportKwh\":310.25,\"exportPowerW\":1450}");
        Reading r = codec.decode("IMS-01JD3T9K2Q", bytes(json));
        assertThat(r.exportKwh()).isEqualTo(310.25);
        assertThat(r.exportPowerW()).isEqualTo(1450.0);
        assertThat(r.exports()).isTrue();
        assertThat(r.extras()).isEmpty();
    }

    /** The example of docs/CONTRACT.md's export extension, as written there. */
    @Test
    void contractsExportExample_decodes() {
        String example = """
                {
                  "meterId": "IMS-01JD3T9K2Q",
                  "seq": 1043,
                  "ts": "2026-06-21T11:15:00Z",
                  "energyKwh": 1523.482,
                  "powerW": 0.0,
                  "voltageV": 232.6,
                  "currentA": 9.12,
                  "status": "OK",
                  "fault": null,
                  "relay": "ON",
                  "exportKwh": 310.25,
                  "exportPowerW": 2121.0
                }""";
        Reading r = codec.decode("IMS-01JD3T9K2Q", bytes(example));
        assertThat(r.exportKwh()).isEqualTo(310.25);
        assertThat(r.exportPowerW()).isEqualTo(2121.0);
        assertThat(r.powerW()).isZero();
    }

    @Test
    void reading_withoutExport_hasNoExport_andEncodesWithoutTheFields() {
        Reading r = codec.decode("IMS-01JD3T9K2Q", bytes(VALID));
        assertThat(r.exportKwh()).isNull();
        assertThat(r.exportPowerW()).isNull();
        assertThat(r.exports()).isFalse();
        assertThat(new String(codec.encode(r), StandardCharsets.UTF_8)).doesNotContain("export");
    }

    @Test
    void reading_withNullExport_isTreatedAsAbsent() {
        String json = VALID.replace("\"relay\":\"ON\"}", "\"relay\":\"ON\",\"exportKwh\":null,\"exportPowerW\":null}");
        Reading r = codec.decode("IMS-01JD3T9K2Q", bytes(json));
        assertThat(r.exportKwh()).isNull();
        assertThat(r.exportPowerW()).isNull();
        assertThat(r.extras()).isEmpty();
    }

    @Test
    void encodeThenDecode_keepsExport() {
        Reading r = Reading.of("m-1", 8, NOW, 20.5, 0.0, 231.0, null, null, RelayState.ON).withExport(4.75, 2200.0);
        String json = new String(codec.encode(r), StandardCharsets.UTF_8);
        assertThat(json).contains("\"exportKwh\":4.75").contains("\"exportPowerW\":2200.0");
        assertThat(codec.decode("m-1", codec.encode(r))).isEqualTo(r);
    }

    @ParameterizedTest(name = "{0}={1} -> {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "exportKwh    | -0.5        | OUT_OF_RANGE",
        "exportKwh    | 1e300       | OUT_OF_RANGE",
        "exportKwh    | `\"12\"`  | WRONG_TYPE",
        "exportKwh    | true        | WRONG_TYPE",
        "exportKwh    | NaN         | MALFORMED_JSON",
        "exportPowerW | -1          | OUT_OF_RANGE",
        "exportPowerW | 1e8         | OUT_OF_RANGE",
        "exportPowerW | `[1]`       | WRONG_TYPE",
        "exportPowerW | Infinity    | MALFORMED_JSON",
    })
    void badExport_isRejectedWithItsReason_namingTheField(String field, String value, RejectReason expected) {
        String json = VALID.replace("\"relay\":\"ON\"}", "\"relay\":\"ON\",\"" + field + "\":" + value + "}");
        assertThatThrownBy(() -> codec.decode("IMS-01JD3T9K2Q", bytes(json)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> {
                    assertThat(e.reason()).isEqualTo(expected);
                    if (expected != RejectReason.MALFORMED_JSON) {
                        assertThat(e.getMessage()).contains(field);
                    }
                });
    }

    @Test
    void export_atTheLimits_isAccepted() {
        String json = VALID.replace("\"relay\":\"ON\"}", "\"relay\":\"ON\",\"exportKwh\":0,\"exportPowerW\":"
                + ReadingLimits.DEFAULT_MAX_ABS_POWER_W + "}");
        Reading r = codec.decode("IMS-01JD3T9K2Q", bytes(json));
        assertThat(r.exportKwh()).isZero();
        assertThat(r.exportPowerW()).isEqualTo(ReadingLimits.DEFAULT_MAX_ABS_POWER_W);
    }

    @Test
    void reading_withoutTopicMeterId_skipsTheMismatchCheck() {
        assertThat(codec.decode(null, bytes(VALID)).meterId()).isEqualTo("IMS-01JD3T9K2Q");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"meterId\":                                                          | MALFORMED_JSON",
        "not json at all                                                        | MALFORMED_JSON",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"meterId\":\"x\"}`                   | MALFORMED_JSON",
        "`{\"energyKwh\":NaN}`                                                  | MALFORMED_JSON",
        "`[1,2,3]`                                                              | NOT_AN_OBJECT",
        "`\"text\"`                                                             | NOT_AN_OBJECT",
        "`{\"seq\":1}`                                                          | MISSING_FIELD",
        "`{\"meterId\":42}`                                                     | WRONG_TYPE",
        "`{\"meterId\":\"a b\"}`                                                | INVALID_METER_ID",
        "`{\"meterId\":\"OTHER-1\"}`                                            | METER_ID_MISMATCH",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":\"1\"}`                       | WRONG_TYPE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1.5}`                         | WRONG_TYPE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":-1}`                          | OUT_OF_RANGE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"yesterday\"}`      | INVALID_TIMESTAMP",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2030-01-01T00:00:00Z\"}` | TIMESTAMP_IN_FUTURE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"1970-01-01T00:00:00Z\"}` | TIMESTAMP_TOO_OLD",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\"}` | MISSING_FIELD",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":-1}` | OUT_OF_RANGE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":1e300}` | OUT_OF_RANGE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":\"5\"}` | WRONG_TYPE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":5,\"status\":\"BROKEN\"}` | UNKNOWN_CODE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":5,\"status\":\"FAULT\"}` | INCONSISTENT_FAULT",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":5,\"status\":\"OK\",\"fault\":\"TAMPER\"}` | INCONSISTENT_FAULT",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":5,\"status\":\"FAULT\",\"fault\":\"GREMLINS\"}` | UNKNOWN_CODE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":5,\"status\":\"OK\",\"relay\":\"HALF\"}` | UNKNOWN_CODE",
        "`{\"meterId\":\"IMS-01JD3T9K2Q\",\"seq\":1,\"ts\":\"2026-11-24T10:00:00Z\",\"energyKwh\":5,\"status\":\"OK\",\"voltageV\":-3}` | OUT_OF_RANGE",
    })
    void badPayload_isRejectedWithItsReason(String payload, RejectReason expected) {
        assertThatThrownBy(() -> codec.decode("IMS-01JD3T9K2Q", bytes(payload)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.reason()).isEqualTo(expected));
    }

    @Test
    void oversizedPayload_isRejectedUnread() {
        byte[] big = new byte[ReadingLimits.DEFAULT_MAX_PAYLOAD_BYTES + 1];
        assertThatThrownBy(() -> codec.decode("IMS-01JD3T9K2Q", big))
                .isInstanceOfSatisfying(InvalidPayloadException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.PAYLOAD_TOO_LARGE));
    }

    @Test
    void deeplyNestedPayload_isRejectedAsMalformed() {
        String deep = "{\"a\":".repeat(100) + "1" + "}".repeat(100);
        assertThatThrownBy(() -> codec.decode(null, bytes(deep)))
                .isInstanceOfSatisfying(InvalidPayloadException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
    }

    @Test
    void invalidUtf8_isRejectedAsMalformed() {
        assertThatThrownBy(() -> codec.decode(null, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'}))
                .isInstanceOfSatisfying(InvalidPayloadException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.MALFORMED_JSON));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
