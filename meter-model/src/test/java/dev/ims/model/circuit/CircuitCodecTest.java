package dev.ims.model.circuit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.ReadingLimits;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import dev.ims.model.status.ConnectionState;
import dev.ims.model.status.StatusMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CircuitCodecTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:00Z");
    private final ReadingCodec codec = new ReadingCodec(ReadingLimits.DEFAULTS, Clock.fixed(NOW, ZoneOffset.UTC));

    private static final String BASE = """
            {"meterId":"IMS-1","seq":5,"ts":"2026-11-24T10:15:00Z","energyKwh":100.5,"status":"OK","fault":null""";

    private static byte[] reading(String circuits) {
        return (BASE + ",\"circuits\":" + circuits + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readingWithCircuits_decodesEachCircuit_notAsExtras() {
        Reading r = codec.decode("IMS-1", reading("""
                [{"id":"water-heater","powerW":2400.0,"energyKwh":812.345,"relay":"ON","schedule":"cmd-1"},
                 {"id":"fridge","powerW":0,"energyKwh":40.1}]"""));
        assertThat(r.circuits()).containsExactly(
                new CircuitReading("water-heater", 2400.0, 812.345, RelayState.ON, "cmd-1"),
                new CircuitReading("fridge", 0, 40.1, null, null));
        assertThat(r.circuit("fridge").energyKwh()).isEqualTo(40.1);
        assertThat(r.circuit("ev")).isNull();
        assertThat(r.extras()).isEmpty();
    }

    @Test
    void encodeThenDecode_keepsCircuits_andAReadingWithoutThemEncodesNoField() {
        Reading r = Reading.of("IMS-1", 9, NOW, 20.5, 2500.0, 231.0, null, null, RelayState.ON)
                .withCircuits(List.of(new CircuitReading("water-heater", 2400, 3.25, RelayState.OFF, null)));
        assertThat(codec.decode("IMS-1", codec.encode(r))).isEqualTo(r);
        Reading plain = Reading.of("IMS-1", 9, NOW, 20.5, 2500.0, 231.0, null, null, RelayState.ON);
        assertThat(new String(codec.encode(plain), StandardCharsets.UTF_8)).doesNotContain("circuits");
        assertThat(codec.decode("IMS-1", codec.encode(plain)).circuits()).isEmpty();
    }

    @Test
    void nullOrEmptyCircuits_meanNone() {
        assertThat(codec.decode("IMS-1", reading("null")).circuits()).isEmpty();
        assertThat(codec.decode("IMS-1", reading("[]")).circuits()).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`{\"id\":\"a\"}`                                                          | WRONG_TYPE   | circuits must be an array",
        "`[1]`                                                                     | WRONG_TYPE   | circuits[0] must be an object",
        "`[{\"powerW\":1,\"energyKwh\":1}]`                                        | MISSING_FIELD | circuits[0].id",
        "`[{\"id\":\"Water Heater\",\"powerW\":1,\"energyKwh\":1}]`                | OUT_OF_RANGE | circuits[0].id",
        "`[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1},{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1}]` | OUT_OF_RANGE | circuits[1].id 'a' appears twice",
        "`[{\"id\":\"a\",\"powerW\":-1,\"energyKwh\":1}]`                          | OUT_OF_RANGE | circuits[0].powerW",
        "`[{\"id\":\"a\",\"powerW\":1e8,\"energyKwh\":1}]`                         | OUT_OF_RANGE | circuits[0].powerW",
        "`[{\"id\":\"a\",\"powerW\":1}]`                                           | MISSING_FIELD | circuits[0].energyKwh",
        "`[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1},{\"id\":\"b\",\"powerW\":1,\"energyKwh\":-0.1}]` | OUT_OF_RANGE | circuits[1].energyKwh",
        "`[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1e10}]`                        | OUT_OF_RANGE | circuits[0].energyKwh",
        "`[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":\"1\"}]`                       | WRONG_TYPE   | circuits[0].energyKwh",
        "`[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1,\"relay\":\"HALF\"}]`        | UNKNOWN_CODE | circuits[0].relay",
        "`[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1,\"schedule\":7}]`            | WRONG_TYPE   | circuits[0].schedule",
        "`[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1,\"schedule\":\"\"}]`         | OUT_OF_RANGE | circuits[0].schedule",
    })
    void badCircuits_rejectTheReading_namingTheField(String circuits, RejectReason reason, String message) {
        assertThatThrownBy(() -> codec.decode("IMS-1", reading(circuits)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    @Test
    void scheduleReference_ofSixtyFourChars_isAccepted_sixtyFiveIsNot() {
        String ok = "x".repeat(64);
        assertThat(codec.decode("IMS-1", reading("[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1,\"schedule\":\"" + ok + "\"}]"))
                .circuit("a").schedule()).isEqualTo(ok);
        assertThatThrownBy(() -> codec.decode("IMS-1",
                reading("[{\"id\":\"a\",\"powerW\":1,\"energyKwh\":1,\"schedule\":\"" + ok + "y\"}]")))
                .hasMessageContaining("circuits[0].schedule");
    }

    @Test
    void sixteenCircuits_areAccepted_seventeenAreNot() {
        assertThat(codec.decode("IMS-1", reading(circuitArray(16))).circuits()).hasSize(16);
        assertThatThrownBy(() -> codec.decode("IMS-1", reading(circuitArray(17))))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OUT_OF_RANGE))
                .hasMessageContaining("at most 16");
    }

    @Test
    void readingBuiltInCode_withDuplicateCircuitIds_isRefused() {
        CircuitReading a = new CircuitReading("a", 1, 1, null, null);
        assertThatThrownBy(() -> Reading.of("IMS-1", 1, NOW, 1, null, null, null, null, null).withCircuits(List.of(a, a)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String circuitArray(int n) {
        return IntStream.range(0, n).mapToObj(i -> "{\"id\":\"c" + i + "\",\"powerW\":1,\"energyKwh\":1}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    // --- descriptions in the status message

    private static byte[] status(String circuits) {
        return ("{\"meterId\":\"IMS-1\",\"state\":\"ONLINE\",\"ts\":\"2026-11-29T22:00:00Z\",\"circuits\":" + circuits + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void birthWithDescriptions_roundTrips_andCriticalAndSwitchableDefaultToFalse() {
        List<CircuitInfo> infos = List.of(
                new CircuitInfo("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, true),
                new CircuitInfo("fridge", "Fridge", CircuitKind.FRIDGE, true, true));
        StatusMessage sent = StatusMessage.of("IMS-1", ConnectionState.ONLINE, NOW).withCircuits(infos);
        StatusMessage got = StatusMessage.decode("IMS-1", sent.encode());
        assertThat(got.circuits()).isEqualTo(infos);
        assertThat(got.extras()).isEmpty();

        StatusMessage minimal = StatusMessage.decode("IMS-1", status("[{\"id\":\"wm\",\"name\":\"Washer\",\"kind\":\"WASHING_MACHINE\"}]"));
        assertThat(minimal.circuits()).containsExactly(new CircuitInfo("wm", "Washer", CircuitKind.WASHING_MACHINE, false, false));
        assertThat(StatusMessage.decode("IMS-1", StatusMessage.of("IMS-1", ConnectionState.ONLINE, NOW).encode()).circuits()).isEmpty();
        assertThat(new String(StatusMessage.of("IMS-1", ConnectionState.ONLINE, NOW).encode(), StandardCharsets.UTF_8))
                .doesNotContain("circuits");
    }

    @ParameterizedTest(name = "{0} -> {1} ({2})")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`\"x\"`                                                                          | WRONG_TYPE    | circuits must be an array",
        "`[{\"id\":\"a\",\"kind\":\"FRIDGE\"}]`                                          | MISSING_FIELD | circuits[0].name",
        "`[{\"id\":\"a\",\"name\":\"  \",\"kind\":\"FRIDGE\"}]`                          | OUT_OF_RANGE  | circuits[0].name",
        "`[{\"id\":\"a\",\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"kind\":\"FRIDGE\"}]` | OUT_OF_RANGE | circuits[0].name",
        "`[{\"id\":\"a\",\"name\":\"A\\u0007\",\"kind\":\"FRIDGE\"}]`                    | OUT_OF_RANGE  | circuits[0].name",
        "`[{\"id\":\"a\",\"name\":\"A\",\"kind\":\"TOASTER\"}]`                          | UNKNOWN_CODE  | circuits[0].kind",
        "`[{\"id\":\"a\",\"name\":\"A\"}]`                                               | MISSING_FIELD | circuits[0].kind",
        "`[{\"id\":\"a\",\"name\":\"A\",\"kind\":\"FRIDGE\",\"critical\":\"yes\"}]`      | WRONG_TYPE    | circuits[0].critical",
        "`[{\"id\":\"a\",\"name\":\"A\",\"kind\":\"FRIDGE\"},{\"id\":\"a\",\"name\":\"B\",\"kind\":\"OTHER\"}]` | OUT_OF_RANGE | circuits[1].id 'a' appears twice",
        "`[{\"id\":\"-a\",\"name\":\"A\",\"kind\":\"FRIDGE\"}]`                          | OUT_OF_RANGE  | circuits[0].id",
    })
    void badDescriptions_refuseTheStatus_namingTheField(String circuits, RejectReason reason, String message) {
        assertThatThrownBy(() -> StatusMessage.decode("IMS-1", status(circuits)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    @Test
    void seventeenDescriptions_refuseTheStatus() {
        String many = IntStream.range(0, 17).mapToObj(i -> "{\"id\":\"c" + i + "\",\"name\":\"C\",\"kind\":\"OTHER\"}")
                .collect(Collectors.joining(",", "[", "]"));
        assertThatThrownBy(() -> StatusMessage.decode("IMS-1", status(many))).hasMessageContaining("at most 16");
    }
}
