package dev.ims.bridge;

import com.ghgande.j2mod.modbus.facade.ModbusTCPMaster;
import com.ghgande.j2mod.modbus.procimg.InputRegister;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurements read over Modbus TCP (a meter with Ethernet, or an RS485 meter behind a Modbus TCP
 * gateway) from the meter's input registers: 32-bit IEEE floats, high word first, as Eastron's SDM
 * meters and many others lay them out. The register comes from the meter itself, so nothing is lost
 * while the bridge is stopped. A read that fails yields no reading (the next one tries again).
 */
public final class ModbusSource implements EnergySource {

    private static final Logger LOG = LoggerFactory.getLogger(ModbusSource.class);

    /**
     * Where a meter model keeps its values (input register addresses, 0-based).
     *
     * @param powerW total active power in W
     * @param energyKwh total import active energy in kWh
     */
    public record RegisterMap(String name, int voltageV, int currentA, int powerW, int energyKwh) {
        /** Eastron SDM120 (single phase). */
        public static final RegisterMap SDM120 = new RegisterMap("sdm120", 0x0000, 0x0006, 0x000C, 0x0048);
        /** Eastron SDM630 (three phase): voltage and current of L1, the total power. */
        public static final RegisterMap SDM630 = new RegisterMap("sdm630", 0x0000, 0x0006, 0x0034, 0x0048);

        public static RegisterMap named(String name) {
            return switch (name.toLowerCase(java.util.Locale.ROOT)) {
                case "sdm120" -> SDM120;
                case "sdm630" -> SDM630;
                default -> throw new IllegalArgumentException("unknown register map '" + name + "' (sdm120, sdm630)");
            };
        }

        int first() {
            return Math.min(Math.min(voltageV, currentA), Math.min(powerW, energyKwh));
        }

        int last() {
            return Math.max(Math.max(voltageV, currentA), Math.max(powerW, energyKwh)) + 1;
        }
    }

    private final ModbusTCPMaster master;
    private final String where;
    private final int unit;
    private final RegisterMap map;
    private final AtomicLong failures = new AtomicLong();

    public ModbusSource(String host, int port, int unit, RegisterMap map) {
        this.master = new ModbusTCPMaster(host, port, 3_000, true);
        this.where = host + ":" + port + " unit " + unit;
        this.unit = unit;
        this.map = map;
    }

    @Override
    public synchronized Measurement measure(Instant now, double lastKwh, Instant lastTs) {
        try {
            if (!master.isConnected()) {
                master.connect();
            }
            // One request for the whole block: the values of one moment, one round trip.
            int first = map.first();
            InputRegister[] r = master.readInputRegisters(unit, first, map.last() - first + 1);
            double kwh = value(r, map.energyKwh() - first);
            if (!Double.isFinite(kwh) || kwh < 0) {
                throw new IllegalStateException("energy register reads " + kwh);
            }
            if (failures.getAndSet(0) > 0) {
                LOG.info("Modbus {}: reading again", where);
            }
            return new Measurement(Math.round(kwh * 10_000) / 10_000.0, round(value(r, map.powerW() - first)),
                    round(value(r, map.voltageV() - first)), round(value(r, map.currentA() - first)));
        } catch (Exception e) {
            if (failures.incrementAndGet() == 1) {
                LOG.warn("Modbus {}: no reading ({}); retrying at each interval", where, e.getMessage());
            }
            master.disconnect();
            return null;
        }
    }

    /** A float from two registers, high word first. */
    private static double value(InputRegister[] r, int offset) {
        int bits = (r[offset].toUnsignedShort() << 16) | r[offset + 1].toUnsignedShort();
        return Float.intBitsToFloat(bits);
    }

    private static Double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10) / 10.0 : null;
    }

    long failures() {
        return failures.get();
    }

    @Override
    public String toString() {
        return "Modbus TCP " + where + " (" + map.name() + ")";
    }

    @Override
    public synchronized void close() {
        master.disconnect();
    }
}
