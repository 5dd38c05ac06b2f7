package dev.ims.bridge;

import dev.ims.model.reading.ReadingLimits;
import java.util.List;
import java.util.Locale;
import java.util.function.IntUnaryOperator;

/**
 * Where a meter model keeps the four values the bridge reads in its input registers (function 0x04), and how
 * each is encoded. The same map serves Modbus TCP and Modbus RTU: the transport only fetches the block of
 * registers from {@link #first()} to {@link #last()}, the map turns it into values.
 *
 * @param name what {@code --modbus-map} calls it
 * @param defaultBaud the meter's serial speed as shipped, for Modbus RTU
 * @param voltageV voltage (L1 on a three-phase meter), V
 * @param currentA current (L1 on a three-phase meter), A
 * @param powerW total active power, W (negative while exporting, on meters that say so)
 * @param energyKwh total import active energy, kWh
 */
public record ModbusRegisterMap(String name, int defaultBaud, Field voltageV, Field currentA, Field powerW, Field energyKwh) {

    /** How a value is laid out in 16-bit registers. */
    public enum Encoding {
        /** IEEE 754 single precision in two registers, high word first (Eastron's SDM meters and many others). */
        FLOAT32_HIGH_WORD_FIRST(2) {
            @Override
            double decode(IntUnaryOperator register, int address) {
                return Float.intBitsToFloat(register.applyAsInt(address) << 16 | register.applyAsInt(address + 1));
            }
        },
        /** An unsigned integer in one register. */
        UINT16(1) {
            @Override
            double decode(IntUnaryOperator register, int address) {
                return register.applyAsInt(address);
            }
        },
        /** An unsigned integer in two registers, low word first (Peacefair's PZEM meters). */
        UINT32_LOW_WORD_FIRST(2) {
            @Override
            double decode(IntUnaryOperator register, int address) {
                return (long) register.applyAsInt(address + 1) << 16 | register.applyAsInt(address);
            }
        };

        private final int registers;

        Encoding(int registers) {
            this.registers = registers;
        }

        /** How many 16-bit registers one value takes. */
        public int registers() {
            return registers;
        }

        /**
         * @param register the unsigned 16-bit content (0 to 65535) of an input register, by address
         * @return the raw value at {@code address}, before scaling
         */
        abstract double decode(IntUnaryOperator register, int address);
    }

    /**
     * One value: where it starts, how it is encoded, what one unit of the raw value is worth in the bridge's unit
     * (kWh, W, V, A), and the decimals that resolution carries (the value is rounded to them, so that a float's
     * or a scale's binary noise never reaches a reading).
     */
    public record Field(int address, Encoding encoding, double scale, int decimals) {

        public Field {
            if (address < 0 || address + encoding.registers() > 0x10000) {
                throw new IllegalArgumentException("register address " + address + " is outside 0 to 0xFFFF");
            }
            if (!(scale > 0) || decimals < 0 || decimals > 6) {
                throw new IllegalArgumentException("scale must be positive and decimals 0 to 6");
            }
        }

        /** A float in the bridge's unit, kept to {@code decimals}. */
        static Field float32(int address, int decimals) {
            return new Field(address, Encoding.FLOAT32_HIGH_WORD_FIRST, 1, decimals);
        }

        /** The value in the bridge's unit, rounded to {@link #decimals()}; NaN or infinite when the register says so. */
        double read(IntUnaryOperator register) {
            double v = encoding.decode(register, address) * scale;
            if (!Double.isFinite(v)) {
                return v;
            }
            double factor = Math.pow(10, decimals);
            return Math.round(v * factor) / factor;
        }

        int end() {
            return address + encoding.registers();
        }
    }

    /**
     * Eastron SDM120 (single phase), shipped at 2400 baud 8N1. Energy to 4 decimals: a float register has about
     * 7 significant digits, more than the meter's own display.
     */
    public static final ModbusRegisterMap SDM120 = new ModbusRegisterMap("sdm120", 2400,
            Field.float32(0x0000, 1), Field.float32(0x0006, 1), Field.float32(0x000C, 1), Field.float32(0x0048, 4));

    /** Eastron SDM630 (three phase), shipped at 9600 baud 8N1: voltage and current of L1, the total power. */
    public static final ModbusRegisterMap SDM630 = new ModbusRegisterMap("sdm630", 9600,
            Field.float32(0x0000, 1), Field.float32(0x0006, 1), Field.float32(0x0034, 1), Field.float32(0x0048, 4));

    /**
     * Peacefair PZEM-004T v3 (and the RS485 PZEM-016, same registers), 9600 baud 8N1, address 0x01 as shipped.
     * Its manual: 0x0000 voltage (0.1 V), 0x0001-0x0002 current (0.001 A), 0x0003-0x0004 power (0.1 W),
     * 0x0005-0x0006 energy (1 Wh), each 32-bit value low 16 bits first; then frequency (0.1 Hz), power factor
     * (0.01) and the alarm at 0x0007 to 0x0009, which the bridge does not read. The energy register counts to
     * 9999.99 kWh and is reset by software only.
     */
    public static final ModbusRegisterMap PZEM004T = new ModbusRegisterMap("pzem004t", 9600,
            new Field(0x0000, Encoding.UINT16, 0.1, 1),
            new Field(0x0001, Encoding.UINT32_LOW_WORD_FIRST, 0.001, 3),
            new Field(0x0003, Encoding.UINT32_LOW_WORD_FIRST, 0.1, 1),
            new Field(0x0005, Encoding.UINT32_LOW_WORD_FIRST, 0.001, 3));

    /** Every map {@link #named(String)} knows. */
    public static final List<ModbusRegisterMap> ALL = List.of(SDM120, SDM630, PZEM004T);

    /** The largest block one Modbus read may ask for (the protocol's limit for function 0x04). */
    static final int MAX_REGISTERS_PER_READ = 125;

    public ModbusRegisterMap {
        if (defaultBaud <= 0) {
            throw new IllegalArgumentException("baud must be positive");
        }
        List<Field> fields = List.of(voltageV, currentA, powerW, energyKwh);
        int first = fields.stream().mapToInt(Field::address).min().orElseThrow();
        int last = fields.stream().mapToInt(Field::end).max().orElseThrow();
        if (last - first > MAX_REGISTERS_PER_READ) {
            throw new IllegalArgumentException("map " + name + " spans " + (last - first) + " registers, more than one read can take");
        }
    }

    /**
     * @param name {@code sdm120}, {@code sdm630} or {@code pzem004t}, in any case
     * @throws IllegalArgumentException naming the maps there are
     */
    public static ModbusRegisterMap named(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return ALL.stream().filter(m -> m.name().equals(n)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown register map '" + name + "' (" + String.join(", ", ALL.stream().map(ModbusRegisterMap::name).toList()) + ")"));
    }

    /** The first register of the block one read fetches. */
    int first() {
        return Math.min(Math.min(voltageV.address(), currentA.address()), Math.min(powerW.address(), energyKwh.address()));
    }

    /** How many registers the block holds: every field's registers, and whatever lies between. */
    int count() {
        return Math.max(Math.max(voltageV.end(), currentA.end()), Math.max(powerW.end(), energyKwh.end())) - first();
    }

    /**
     * The values in a block read from {@link #first()}.
     *
     * @param block the registers' unsigned contents, {@link #count()} of them
     */
    Values decode(int[] block) {
        if (block.length != count()) {
            throw new IllegalArgumentException("expected " + count() + " registers, got " + block.length);
        }
        int first = first();
        IntUnaryOperator register = address -> block[address - first];
        return new Values(energyKwh.read(register), powerW.read(register), voltageV.read(register), currentA.read(register));
    }

    /** What one read yields, in kWh, W, V and A; a register may read NaN, or anything else a broken meter says. */
    record Values(double energyKwh, double powerW, double voltageV, double currentA) {

        /**
         * Why these values cannot be a real meter's (a register reading NaN, a negative register or voltage, a value
         * beyond what the contract accepts from any meter: a wrong map, a wrong unit ID answering, a broken meter),
         * or null when they can. Power and current may be negative: a meter that measures export says so with them.
         */
        String implausible(ReadingLimits limits) {
            if (!Double.isFinite(energyKwh) || energyKwh < 0 || energyKwh > limits.maxEnergyKwh()) {
                return "energy register reads " + energyKwh + " kWh";
            }
            if (!Double.isFinite(powerW) || Math.abs(powerW) > limits.maxAbsPowerW()) {
                return "power reads " + powerW + " W";
            }
            if (!Double.isFinite(voltageV) || voltageV < 0 || voltageV > limits.maxVoltageV()) {
                return "voltage reads " + voltageV + " V";
            }
            if (!Double.isFinite(currentA) || Math.abs(currentA) > limits.maxAbsCurrentA()) {
                return "current reads " + currentA + " A";
            }
            return null;
        }
    }
}
