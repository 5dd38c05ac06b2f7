package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.bridge.ModbusRegisterMap.Values;
import dev.ims.model.reading.ReadingLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The register maps' decoding, on blocks of registers laid out as the meters lay them out; no Modbus. */
class ModbusRegisterMapTest {

    @Test
    void pzem004t_readsScaledIntegers_lowWordFirst_energyInKwhToTheWatthour() {
        // Figures from the PZEM-004T v3 manual's units: 230.5 V, 70.123 A (above 65.535 A: needs the high word),
        // 16234.5 W, 1234567 Wh. The 32-bit values split by hand: 70123 = 0x0001_11EB, 162345 = 0x0002_7A29,
        // 1234567 = 0x0012_D687, each sent low word first.
        int[] block = {2305, 0x11EB, 0x0001, 0x7A29, 0x0002, 0xD687, 0x0012};
        Values v = ModbusRegisterMap.PZEM004T.decode(block);
        assertThat(v.voltageV()).isEqualTo(230.5);
        assertThat(v.currentA()).isEqualTo(70.123);
        assertThat(v.powerW()).isEqualTo(16234.5);
        assertThat(v.energyKwh()).isEqualTo(1234.567);
    }

    @Test
    void pzem004t_highWordIsTheSecondRegister_notTheFirst() {
        // One in the first register of each pair is the least unit (0.001 A, 0.1 W, 1 Wh), never 65536 of them.
        int[] block = {0, 1, 0, 1, 0, 1, 0};
        Values v = ModbusRegisterMap.PZEM004T.decode(block);
        assertThat(v.currentA()).isEqualTo(0.001);
        assertThat(v.powerW()).isEqualTo(0.1);
        assertThat(v.energyKwh()).isEqualTo(0.001);
        Values high = ModbusRegisterMap.PZEM004T.decode(new int[] {0, 0, 1, 0, 1, 0, 1});
        assertThat(high.currentA()).isEqualTo(65.536);
        assertThat(high.energyKwh()).isEqualTo(65.536);
    }

    @Test
    void pzem004t_blockIsItsFirstSevenRegisters() {
        assertThat(ModbusRegisterMap.PZEM004T.first()).isZero();
        assertThat(ModbusRegisterMap.PZEM004T.count()).isEqualTo(7);
        assertThat(ModbusRegisterMap.PZEM004T.defaultBaud()).isEqualTo(9600);
    }

    @Test
    void sdm_readsFloatsHighWordFirst_atTheirAddresses() {
        ModbusRegisterMap map = ModbusRegisterMap.SDM120;
        int[] block = new int[map.count()];
        putFloat(block, map, 0x0000, 229.8f);
        putFloat(block, map, 0x0006, 4.25f);
        putFloat(block, map, 0x000C, -1530.5f); // exporting
        putFloat(block, map, 0x0048, 12345.678f);
        Values v = map.decode(block);
        assertThat(v.voltageV()).isEqualTo(229.8);
        assertThat(v.currentA()).isEqualTo(4.3);
        assertThat(v.powerW()).isEqualTo(-1530.5);
        assertThat(v.energyKwh()).as("the float 12345.678f is 12345.677734375, to 4 decimals").isEqualTo(12345.6777);
        assertThat(map.first()).isZero();
        assertThat(map.count()).isEqualTo(0x004A);
        assertThat(map.defaultBaud()).isEqualTo(2400);
        assertThat(ModbusRegisterMap.SDM630.defaultBaud()).isEqualTo(9600);
    }

    @Test
    void sdm_wordsSwapped_isAnotherNumber() {
        ModbusRegisterMap map = ModbusRegisterMap.SDM630;
        int[] block = new int[map.count()];
        int bits = Float.floatToIntBits(12345.678f);
        block[0x0048] = bits & 0xFFFF;
        block[0x0049] = bits >>> 16;
        assertThat(map.decode(block).energyKwh()).isNotEqualTo(12345.6777);
    }

    @Test
    void sdm_nanRegister_readsNaN_andIsImplausible() {
        ModbusRegisterMap map = ModbusRegisterMap.SDM630;
        int[] block = new int[map.count()];
        putFloat(block, map, 0x0000, 230f);
        putFloat(block, map, 0x0048, Float.NaN);
        Values v = map.decode(block);
        assertThat(v.energyKwh()).isNaN();
        assertThat(v.implausible(ReadingLimits.DEFAULTS)).contains("energy register reads NaN");
    }

    @ParameterizedTest(name = "{0} kWh, {1} W, {2} V, {3} A: {4}")
    @CsvSource({
        "-0.5, 100, 230, 1, energy register reads -0.5 kWh",
        "2e9, 100, 230, 1, energy register reads 2.0E9 kWh",
        "NaN, 100, 230, 1, energy register reads NaN kWh",
        "10, Infinity, 230, 1, power reads Infinity W",
        "10, 2e7, 230, 1, power reads 2.0E7 W",
        "10, 100, -1, 1, voltage reads -1.0 V",
        "10, 100, 6553.5, 1, voltage reads 6553.5 V",
        "10, 100, 230, 4294967.295, current reads 4294967.295 A",
    })
    void implausibleValues_areNamed(double kwh, double w, double v, double a, String why) {
        assertThat(new Values(kwh, w, v, a).implausible(ReadingLimits.DEFAULTS)).isEqualTo(why);
    }

    @ParameterizedTest(name = "{0} kWh, {1} W, {2} V, {3} A")
    @CsvSource({"0, 0, 0, 0", "9999.99, 23000, 260, 100", "12345.6777, -4500, 231.5, -19.6"})
    void realValues_arePlausible_exportAsNegativePowerAndCurrentIncluded(double kwh, double w, double v, double a) {
        assertThat(new Values(kwh, w, v, a).implausible(ReadingLimits.DEFAULTS)).isNull();
    }

    @Test
    void named_anyCase_andUnknownListsTheMaps() {
        assertThat(ModbusRegisterMap.named("PZEM004T")).isSameAs(ModbusRegisterMap.PZEM004T);
        assertThat(ModbusRegisterMap.named(" sdm120 ")).isSameAs(ModbusRegisterMap.SDM120);
        assertThat(ModbusRegisterMap.named("sdm630")).isSameAs(ModbusRegisterMap.SDM630);
        assertThatThrownBy(() -> ModbusRegisterMap.named("sdm72")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown register map 'sdm72' (sdm120, sdm630, pzem004t)");
    }

    @Test
    void decode_blockOfAnotherLength_isRefused() {
        assertThatThrownBy(() -> ModbusRegisterMap.PZEM004T.decode(new int[6])).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected 7 registers, got 6");
    }

    @Test
    void aMapNoSingleReadCanFetch_isRefused() {
        ModbusRegisterMap.Field near = ModbusRegisterMap.Field.float32(0x0000, 1);
        ModbusRegisterMap.Field far = ModbusRegisterMap.Field.float32(0x0100, 1);
        assertThatThrownBy(() -> new ModbusRegisterMap("wide", 9600, near, near, near, far))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spans 258 registers");
    }

    @Test
    void rtuTimeout_isLatencyPlusTwiceTheReplysTimeOnTheLine() {
        // SDM120 at 2400 8N1: reply 5 + 2 * 74 = 153 bytes of 10 bits = 637.5 ms; twice, plus the latency.
        assertThat(ModbusSource.rtuTimeoutMillis(ModbusRegisterMap.SDM120, 2400, SerialFormat.F8N1))
                .isEqualTo(ModbusSource.RTU_LATENCY_MS + 1275);
        // 8E2 carries 12 bits a byte; PZEM's reply is 19 bytes: 2 * 19 * 12 bits at 9600 baud = 47.5 ms.
        assertThat(ModbusSource.rtuTimeoutMillis(ModbusRegisterMap.PZEM004T, 9600, SerialFormat.parse("8E2")))
                .isEqualTo(ModbusSource.RTU_LATENCY_MS + 47);
    }

    private static void putFloat(int[] block, ModbusRegisterMap map, int address, float value) {
        int bits = Float.floatToIntBits(value);
        block[address - map.first()] = bits >>> 16;
        block[address - map.first() + 1] = bits & 0xFFFF;
    }
}
