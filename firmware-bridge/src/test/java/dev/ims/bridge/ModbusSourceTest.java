package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.ghgande.j2mod.modbus.procimg.SimpleInputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;
import dev.ims.embedded.FreePorts;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Modbus TCP against a real Modbus TCP server (j2mod's slave) holding an SDM630's input registers. */
class ModbusSourceTest {

    @Test
    void readsTheMetersOwnRegister_powerVoltageCurrent_andYieldsNothingWhileTheMeterIsUnreachable() throws Exception {
        int port = FreePorts.resolve(0);
        SimpleProcessImage image = new SimpleProcessImage(7);
        for (int i = 0; i <= 0x0049; i++) {
            image.addInputRegister(new SimpleInputRegister(0));
        }
        put(image, 0x0000, 231.5f);   // voltage L1
        put(image, 0x0006, 4.25f);    // current L1
        put(image, 0x0034, 2987.5f);  // total power
        put(image, 0x0048, 12345.678f); // import energy
        ModbusSlave slave = ModbusSlaveFactory.createTCPSlave(port, 2);
        slave.addProcessImage(7, image);
        slave.open();
        ModbusSource source = ModbusSource.tcp("127.0.0.1", port, 7, ModbusRegisterMap.named("sdm630"), Clock.systemUTC());
        try {
            EnergySource.Measurement m = source.measure(Instant.now(), 0, null);
            assertThat(m).isNotNull();
            assertThat(m.energyKwh()).isEqualTo(12345.6777); // the float 12345.678f is 12345.677734375
            assertThat(m.powerW()).isEqualTo(2987.5);
            assertThat(m.voltageV()).isEqualTo(231.5);
            assertThat(m.currentA()).isEqualTo(4.3);
            put(image, 0x0048, 12346.0f);
            assertThat(source.measure(Instant.now(), 0, null).energyKwh()).isEqualTo(12346.0);

            ModbusSlaveFactory.close(slave);
            assertThat(source.measure(Instant.now(), 0, null)).as("meter unreachable: no reading, no crash").isNull();
            assertThat(source.counters()).containsEntry("modbus.failures", 1L).containsEntry("modbus.reads", 2L);
            slave = ModbusSlaveFactory.createTCPSlave(port, 2);
            slave.addProcessImage(7, image);
            slave.open();
            assertThat(source.measure(Instant.now(), 0, null).energyKwh()).as("back").isEqualTo(12346.0);
            assertThat(source.counters()).containsEntry("modbus.failures", 1L).containsEntry("modbus.reopened", 1L)
                    .containsEntry("modbus.reads", 3L);
        } finally {
            source.close();
            ModbusSlaveFactory.close(slave);
        }
    }

    private static void put(SimpleProcessImage image, int address, float value) {
        int bits = Float.floatToIntBits(value);
        image.setInputRegister(address, new SimpleInputRegister((bits >>> 16) & 0xFFFF));
        image.setInputRegister(address + 1, new SimpleInputRegister(bits & 0xFFFF));
    }
}
