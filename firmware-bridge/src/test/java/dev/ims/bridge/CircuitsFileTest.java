package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.CircuitKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The circuits file: what a valid one gives, and a clear error naming the entry for each way it can be wrong. */
class CircuitsFileTest {

    /** The supply relay on 27 and the main S0 input on 17, as the bridge's defaults. */
    static final Map<Integer, String> RESERVED = Map.of(27, "the supply relay", 17, "the meter's S0 input");

    @TempDir
    Path dir;

    @Test
    void validFile_givesEveryCircuit_withDefaults() {
        List<CircuitSpec> c = CircuitsFile.parse("""
                [{"id":"water-heater","name":"Water heater","kind":"WATER_HEATER","measure":{"modbusUnit":2},
                  "relay":{"pin":23}},
                 {"id":"ev","name":"EV charger","kind":"ev_charger","measure":{"modbusUnit":3,"map":"sdm120"},
                  "relay":{"pin":24,"activeLow":true,"feedbackPin":25}},
                 {"id":"fridge","name":"Fridge","kind":"FRIDGE","critical":true,"measure":{"s0Pin":22,"pulsesPerKwh":2000,"activeLow":true},
                  "relay":{"pin":5}},
                 {"id":"washer","name":"Washing machine","kind":"WASHING_MACHINE","measure":{"s0Pin":6}}]
                """, RESERVED, 1);
        assertThat(c).containsExactly(
                new CircuitSpec("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, new CircuitSpec.Modbus(2, ModbusRegisterMap.PZEM004T),
                        new CircuitSpec.Relay(23, false, -1)),
                new CircuitSpec("ev", "EV charger", CircuitKind.EV_CHARGER, false, new CircuitSpec.Modbus(3, ModbusRegisterMap.SDM120),
                        new CircuitSpec.Relay(24, true, 25)),
                new CircuitSpec("fridge", "Fridge", CircuitKind.FRIDGE, true, new CircuitSpec.S0(22, 2000, true), new CircuitSpec.Relay(5, false, -1)),
                new CircuitSpec("washer", "Washing machine", CircuitKind.WASHING_MACHINE, false, new CircuitSpec.S0(6, 1000, false), null));
        assertThat(c.stream().map(CircuitSpec::info)).containsExactly(
                new CircuitInfo("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, true),
                new CircuitInfo("ev", "EV charger", CircuitKind.EV_CHARGER, false, true),
                new CircuitInfo("fridge", "Fridge", CircuitKind.FRIDGE, true, true),
                new CircuitInfo("washer", "Washing machine", CircuitKind.WASHING_MACHINE, false, false));
    }

    @Test
    void emptyList_isNoCircuits() {
        assertThat(CircuitsFile.parse("[]", RESERVED, null)).isEmpty();
    }

    @Test
    void sixteenCircuits_areTaken_seventeenAreNot() {
        String sixteen = circuits(16);
        assertThat(CircuitsFile.parse(sixteen, Map.of(), null)).hasSize(16);
        assertThatThrownBy(() -> CircuitsFile.parse(circuits(17), Map.of(), null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("has 17 circuits; at most 16");
    }

    private static String circuits(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "{\"id\":\"c" + i + "\",\"name\":\"C " + i + "\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":" + (i + 1)
                + "}}").collect(Collectors.joining(",", "[", "]"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "not JSON | [{ | not JSON: .*",
        "not a list | {\"id\":\"a\"} | must be a JSON list of circuits",
        "entry not an object | [1] | circuit 1: must be a JSON object",
        "bad id | [{\"id\":\"Water Heater\",\"name\":\"W\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5}}] "
                + "| circuit 1 \\(\"Water Heater\"\\): id \"Water Heater\" must match .*",
        "missing id | [{\"name\":\"W\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5}}] | circuit 1: id is required",
        "duplicate id | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5}},{\"id\":\"a\",\"name\":\"B\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":6}}] "
                + "| circuit 2 \\(\"a\"\\): id \"a\" is circuit 1's already",
        "name too long | [{\"id\":\"a\",\"name\":\"12345678901234567890123456789012345678901\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5}}] "
                + "| circuit 1 \\(\"a\"\\): circuit name must be 1 to 40 printable characters",
        "unknown kind | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"SAUNA\",\"measure\":{\"s0Pin\":5}}] | circuit 1 \\(\"a\"\\): kind \"SAUNA\" is none of .*",
        "no measure | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\"}] | circuit 1 \\(\"a\"\\): measure is required.*",
        "two measures | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5,\"modbusUnit\":2}}] "
                + "| circuit 1 \\(\"a\"\\): measure needs exactly one of modbusUnit .*",
        "unit out of range | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":248}}] "
                + "| circuit 1 \\(\"a\"\\): measure.modbusUnit must be 1 to 247, not 248",
        "unknown map | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":2,\"map\":\"sdm72\"}}] "
                + "| circuit 1 \\(\"a\"\\): unknown register map 'sdm72' .*",
        "the main meter's unit | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":1}}] "
                + "| circuit 1 \\(\"a\"\\): Modbus unit 1 is used by the main meter already",
        "two circuits on one unit | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":2}},{\"id\":\"b\",\"name\":\"B\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":2}}] "
                + "| circuit 2 \\(\"b\"\\): Modbus unit 2 is used by circuit a already",
        "pulses not positive | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5,\"pulsesPerKwh\":0}}] "
                + "| circuit 1 \\(\"a\"\\): measure.pulsesPerKwh must be positive, not 0",
        "pin out of range | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":40}}] "
                + "| circuit 1 \\(\"a\"\\): measure.s0Pin must be a BCM GPIO number, 0 to 27, not 40",
        "S0 on the supply relay | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":27}}] "
                + "| circuit 1 \\(\"a\"\\): GPIO 27 is used by the supply relay already",
        "relay on the main S0 input | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5},\"relay\":{\"pin\":17}}] "
                + "| circuit 1 \\(\"a\"\\): GPIO 17 is used by the meter's S0 input already",
        "relay on its own S0 input | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"s0Pin\":5},\"relay\":{\"pin\":5}}] "
                + "| circuit 1 \\(\"a\"\\): GPIO 5 is used by circuit a's S0 input already",
        "relay on another circuit's relay | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":2},\"relay\":{\"pin\":5}},"
                + "{\"id\":\"b\",\"name\":\"B\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":3},\"relay\":{\"pin\":6,\"feedbackPin\":5}}] "
                + "| circuit 2 \\(\"b\"\\): GPIO 5 is used by circuit a's relay already",
        "feedback on its own relay pin | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":2},\"relay\":{\"pin\":5,\"feedbackPin\":5}}] "
                + "| circuit 1 \\(\"a\"\\): relay.feedbackPin must differ from relay.pin",
        "relay without pin | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"measure\":{\"modbusUnit\":2},\"relay\":{\"activeLow\":true}}] "
                + "| circuit 1 \\(\"a\"\\): relay.pin is required",
        "unknown field (a typo) | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"critcal\":true,\"measure\":{\"modbusUnit\":2}}] "
                + "| circuit 1 \\(\"a\"\\): unknown field critcal .*",
        "critical not a boolean | [{\"id\":\"a\",\"name\":\"A\",\"kind\":\"OTHER\",\"critical\":\"yes\",\"measure\":{\"modbusUnit\":2}}] "
                + "| circuit 1 \\(\"a\"\\): critical must be true or false",
    })
    void invalidFile_isRefused_namingTheEntry(String what, String json, String message) {
        assertThatThrownBy(() -> CircuitsFile.parse(json, RESERVED, 1)).as(what).isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(message);
    }

    @Test
    void bridgeMain_badCircuitsFile_isAParameterError_namingTheFileAndEntry_beforeAnyPinIsOpened() throws Exception {
        Path file = dir.resolve("circuits.json");
        Files.writeString(file, "[{\"id\":\"heater\",\"name\":\"Heater\",\"kind\":\"WATER_HEATER\",\"measure\":{\"s0Pin\":5},\"relay\":{\"pin\":27}}]");
        BridgeMain main = new BridgeMain();
        new CommandLine(main).parseArgs("--circuits", file.toString());
        assertThatThrownBy(main::circuits).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("--circuits " + file + ": circuit 1 (\"heater\"): GPIO 27 is used by the supply relay already");
        new CommandLine(main).parseArgs("--circuits", dir.resolve("absent.json").toString());
        assertThatThrownBy(main::circuits).isInstanceOf(CommandLine.ParameterException.class).hasMessageStartingWith("--circuits: cannot read ");
    }

    @Test
    void bridgeMain_withABadCircuitsFile_exitsWithTheUsageCode_andSaysWhy() throws Exception {
        Path file = dir.resolve("circuits.json");
        Files.writeString(file, "[{\"id\":\"heater\",\"name\":\"Heater\",\"kind\":\"KETTLE\",\"measure\":{\"s0Pin\":5}}]");
        // BridgeMain's parameter errors carry their own CommandLine, which writes to System.err.
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream was = System.err;
        int code;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new BridgeMain()).execute("--mqtt-url", "tcp://127.0.0.1:1", "--mock", "--state-file", dir.resolve("meter.json").toString(),
                    "--circuits", file.toString());
        } finally {
            System.setErr(was);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("circuit 1 (\"heater\"): kind \"KETTLE\" is none of");
        assertThat(dir.resolve("meter.json")).as("nothing was started").doesNotExist();
    }

    @Test
    void bridgeMain_modbusCircuit_withoutABus_isAParameterError() throws Exception {
        Path file = dir.resolve("circuits.json");
        Files.writeString(file, "[{\"id\":\"heater\",\"name\":\"Heater\",\"kind\":\"WATER_HEATER\",\"measure\":{\"modbusUnit\":2}}]");
        BridgeMain main = new BridgeMain();
        new CommandLine(main).parseArgs("--source", "p1", "--circuits", file.toString());
        List<CircuitSpec> circuits = main.circuits();
        try (S0Source notModbus = new S0Source(new S0Counter(BridgeMain.mockContext(), 17, false, 5_000), 1_000)) {
            assertThatThrownBy(() -> main.circuitSources(null, circuits, notModbus)).isInstanceOf(CommandLine.ParameterException.class)
                    .hasMessageContaining("circuit heater is measured over Modbus").hasMessageContaining("--circuits-modbus-device");
        }
    }

    @Test
    void bridgeMain_modbusCircuits_shareTheMainMetersBus_orUseTheirOwn() throws Exception {
        Path file = dir.resolve("circuits.json");
        Files.writeString(file, "[{\"id\":\"heater\",\"name\":\"Heater\",\"kind\":\"WATER_HEATER\",\"measure\":{\"modbusUnit\":2}}]");
        BridgeMain main = new BridgeMain();
        new CommandLine(main).parseArgs("--source", "modbus-rtu", "--modbus-map", "sdm120", "--circuits", file.toString());
        try (ModbusSource meter = main.modbusSource(true)) {
            EnergySource heater = main.circuitSources(null, main.circuits(), meter).get("heater");
            assertThat(((ModbusSource) heater).bus()).isSameAs(meter.bus());
            assertThat(heater).hasToString("Modbus RTU /dev/ttyUSB0 2400 8N1 unit 2 (pzem004t)");
        }
        new CommandLine(main).parseArgs("--source", "p1", "--circuits", file.toString(), "--circuits-modbus-device", "/dev/ttyUSB1");
        EnergySource own = main.circuitSources(null, main.circuits(), null).get("heater");
        assertThat(own).hasToString("Modbus RTU /dev/ttyUSB1 9600 8N1 unit 2 (pzem004t)");
        own.close();
    }
}
