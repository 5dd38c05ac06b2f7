package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.ghgande.j2mod.modbus.Modbus;
import com.ghgande.j2mod.modbus.net.AbstractSerialConnection;
import com.ghgande.j2mod.modbus.procimg.SimpleInputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;
import com.ghgande.j2mod.modbus.util.SerialParameters;
import com.pi4j.context.Context;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.circuit.CircuitKind;
import dev.ims.model.circuit.CircuitReading;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The main meter and two PZEM-004T circuit meters on one RS485 bus, as a pseudo-terminal pair (socat) with j2mod's RTU
 * slave answering three unit IDs: one master reads them one after the other, each reading carries every circuit's
 * values, and a circuit unit that stops answering leaves the meter and the other circuit as they were.
 */
class CircuitsRtuIT {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    @TempDir
    Path dir;

    private SocatPty line;
    private ModbusSlave slave;
    private ModbusSource main;
    private Context pi4j;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger sourceLog = (Logger) LoggerFactory.getLogger(ModbusSource.class);
    private final Logger circuitsLog = (Logger) LoggerFactory.getLogger(PiCircuits.class);

    @BeforeEach
    void line() throws Exception {
        assumeTrue(SocatPty.available(), "needs " + SocatPty.SOCAT);
        line = new SocatPty(dir).start();
        logs.start();
        sourceLog.addAppender(logs);
        circuitsLog.addAppender(logs);
    }

    @AfterEach
    void close() throws Exception {
        sourceLog.detachAppender(logs);
        circuitsLog.detachAppender(logs);
        if (main != null) {
            main.close();
        }
        if (slave != null) {
            ModbusSlaveFactory.close(slave);
        }
        if (pi4j != null) {
            pi4j.shutdown();
        }
        if (line != null) {
            line.close();
        }
    }

    @Test
    void mainMeterAndTwoCircuitUnits_shareTheBus_andAUnitNotAnswering_leavesTheOthers() throws Exception {
        SimpleProcessImage house = registers(0x004A);
        putFloat(house, 0x0000, 230.1f);
        putFloat(house, 0x0006, 12.5f);
        putFloat(house, 0x000C, 2876.5f);
        putFloat(house, 0x0048, 4521.25f);
        SimpleProcessImage heater = registers(10);
        pzem(heater, 2301, 10_000, 23_010, 812_345);
        SimpleProcessImage fridge = registers(10);
        pzem(fridge, 2300, 500, 1_150, 95_001);
        slave = slave(line.meter(), Map.of(1, house, 2, heater, 3, fridge));

        main = ModbusSource.rtu(line.port(), 9600, SerialFormat.F8N1, 1, ModbusRegisterMap.SDM120, Clock.fixed(T0, ZoneOffset.UTC));
        List<CircuitSpec> specs = List.of(
                new CircuitSpec("water-heater", "Water heater", CircuitKind.WATER_HEATER, false, new CircuitSpec.Modbus(2, ModbusRegisterMap.PZEM004T), null),
                new CircuitSpec("fridge", "Fridge", CircuitKind.FRIDGE, true, new CircuitSpec.Modbus(3, ModbusRegisterMap.PZEM004T), null));
        Map<String, EnergySource> sources = Map.of(
                "water-heater", ModbusSource.on(main.bus(), false, 2, ModbusRegisterMap.PZEM004T, Clock.fixed(T0, ZoneOffset.UTC)),
                "fridge", ModbusSource.on(main.bus(), false, 3, ModbusRegisterMap.PZEM004T, Clock.fixed(T0, ZoneOffset.UTC)));
        Path stateFile = dir.resolve("meter.json");
        MeterState state = MeterState.newMeter(0, null);
        state = state.withCircuits(PiCircuits.initialState(specs, state.circuits()));
        MeterStateFile.save(stateFile, state);
        pi4j = BridgeMain.mockContext();
        PiCircuits circuits = new PiCircuits(pi4j, specs, sources, state.circuits());
        PiMeter meter = new PiMeter(stateFile, state, main, new RelayOutput(pi4j, 27, false, -1, RelayState.ON), circuits);

        Reading first = meter.read(T0.plusSeconds(10));
        assertThat(first.energyKwh()).isEqualTo(4521.25);
        assertThat(first.powerW()).isEqualTo(2876.5);
        assertThat(first.circuits()).containsExactly(
                new CircuitReading("water-heater", 2301.0, 812.345, null, null),
                new CircuitReading("fridge", 115.0, 95.001, null, null));

        // The fridge's meter stops answering (its unit off the bus): the reading still goes out, with the house and the heater.
        slave.removeProcessImage(3);
        pzem(heater, 2299, 9_000, 20_700, 812_360);
        Reading second = meter.read(T0.plusSeconds(20));
        assertThat(second).isNotNull();
        assertThat(second.energyKwh()).isEqualTo(4521.25);
        assertThat(second.circuits()).containsExactly(new CircuitReading("water-heater", 2070.0, 812.36, null, null));
        assertThat(meter.circuitCounters()).containsEntry("circuit.fridge.failures", 1L).containsEntry("circuit.water-heater.failures", 0L);
        assertThat(MeterStateFile.load(stateFile).circuits().get("fridge").energyKwh()).as("kept from its last value").isEqualTo(95.001);

        // Still gone: counted, not logged again.
        assertThat(meter.read(T0.plusSeconds(30)).circuits()).extracting(CircuitReading::id).containsExactly("water-heater");
        assertThat(meter.circuitCounters()).containsEntry("circuit.fridge.failures", 2L);

        // Back, with a register lower than the one published (a reset meter): left out, counted, logged once.
        slave.addProcessImage(3, fridge);
        pzem(fridge, 2300, 500, 1_150, 94_000);
        assertThat(meter.read(T0.plusSeconds(40)).circuits()).extracting(CircuitReading::id).containsExactly("water-heater");
        assertThat(meter.circuitCounters()).containsEntry("circuit.fridge.failures", 3L);
        pzem(fridge, 2300, 500, 1_150, 95_010);
        assertThat(meter.read(T0.plusSeconds(50)).circuits()).containsExactly(
                new CircuitReading("water-heater", 2070.0, 812.36, null, null),
                new CircuitReading("fridge", 115.0, 95.01, null, null));
        assertThat(main.counters()).containsEntry("modbus.failures", 0L).containsEntry("modbus.reads", 5L);

        String fridgeWhere = "Modbus RTU " + line.port() + " unit 3";
        assertThat(messages()).containsExactly(
                "WARN " + fridgeWhere + ": no reading (" + firstFailure() + "); retrying at each interval",
                "INFO " + fridgeWhere + ": reading again",
                "WARN Circuit fridge: register 94.0 kWh refused: the last one published was 95.001 kWh (it may never go down); its values are left"
                        + " out until the register is plausible again (a replaced meter needs its entry removed from the state file)",
                "INFO Circuit fridge: register plausible again at 95.01 kWh");
    }

    /** The failure message of the unit that stopped answering, as j2mod words it (a timeout after its tries). */
    private String firstFailure() {
        String warn = logs.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).findFirst().orElseThrow();
        return warn.substring(warn.indexOf("(") + 1, warn.lastIndexOf(")"));
    }

    private List<String> messages() {
        return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    /** j2mod's RTU slave on the bus's far end, answering each unit ID with its registers. */
    private static ModbusSlave slave(Path port, Map<Integer, SimpleProcessImage> units) throws Exception {
        SerialParameters p = new SerialParameters();
        p.setPortName(port.toString());
        p.setEncoding(Modbus.SERIAL_ENCODING_RTU);
        p.setBaudRate(9600);
        p.setDatabits(8);
        p.setParity(AbstractSerialConnection.NO_PARITY);
        p.setStopbits(AbstractSerialConnection.ONE_STOP_BIT);
        ModbusSlave s = ModbusSlaveFactory.createSerialSlave(p);
        units.forEach(s::addProcessImage);
        s.open();
        return s;
    }

    private static SimpleProcessImage registers(int count) {
        SimpleProcessImage image = new SimpleProcessImage();
        for (int i = 0; i < count; i++) {
            image.addInputRegister(new SimpleInputRegister(0));
        }
        return image;
    }

    /** A PZEM-004T's registers: 0.1 V, then 0.001 A, 0.1 W and Wh as 32-bit values, low word first. */
    private static void pzem(SimpleProcessImage image, int decivolts, long milliamps, long deciwatts, long wattHours) {
        image.setInputRegister(0x0000, new SimpleInputRegister(decivolts));
        lowWordFirst(image, 0x0001, milliamps);
        lowWordFirst(image, 0x0003, deciwatts);
        lowWordFirst(image, 0x0005, wattHours);
    }

    private static void lowWordFirst(SimpleProcessImage image, int address, long value) {
        image.setInputRegister(address, new SimpleInputRegister((int) (value & 0xFFFF)));
        image.setInputRegister(address + 1, new SimpleInputRegister((int) (value >>> 16 & 0xFFFF)));
    }

    /** An SDM meter's float register: IEEE 754, high word first. */
    private static void putFloat(SimpleProcessImage image, int address, float value) {
        int bits = Float.floatToIntBits(value);
        image.setInputRegister(address, new SimpleInputRegister(bits >>> 16));
        image.setInputRegister(address + 1, new SimpleInputRegister(bits & 0xFFFF));
    }
}
