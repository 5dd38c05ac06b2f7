package dev.ims.bridge;

import dev.ims.model.reading.ReadingLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurements read over Modbus from one unit's input registers, laid out as a {@link ModbusRegisterMap} says:
 * over Modbus TCP (a meter with Ethernet, or an RS485 meter behind a gateway) or Modbus RTU (the meter on a
 * serial port, usually a USB-RS485 stick), through a {@link ModbusBus} that several sources may share (the main
 * meter and per-circuit meters at their own unit addresses on one RS485 pair). One read per measurement fetches
 * the whole block, so the values are of one moment; the register comes from the meter itself, so nothing is lost
 * while the bridge is stopped.
 *
 * <p>A read that fails (no answer in time, a CRC error, an exception from the meter, the port gone) yields no
 * reading and closes the bus's connection; the next read on the bus opens it anew. Values that no real meter gives
 * are refused. Both are counted, and logged once when the readings stop and once when they come back. Calls are
 * serialised: one read at a time (and one request on the bus at a time).
 */
public final class ModbusSource implements EnergySource {

    private static final Logger LOG = LoggerFactory.getLogger(ModbusSource.class);

    /** Modbus TCP: how long the gateway or meter may take to answer. */
    static final int TCP_TIMEOUT_MS = 3_000;
    /**
     * Modbus RTU: how long a meter may take before its reply starts; the reply's own time on the line is added
     * ({@link #rtuTimeoutMillis}). Meters answer within tens of milliseconds; the spec leaves it to the master.
     */
    static final int RTU_LATENCY_MS = 1_000;
    /**
     * Modbus RTU: tries per read. A second try covers one garbled frame on a noisy RS485 line; more would only
     * delay the report of a meter that is gone (j2mod's default is 5, with a timeout each).
     */
    static final int RTU_TRIES = 2;
    /** Longest wait for a connection to close (see {@link ModbusBus}); a close takes milliseconds. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final String where;
    private final String description;
    private final ModbusBus bus;
    private final boolean ownsBus;
    private final int unit;
    private final ModbusRegisterMap map;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile Instant lastData;
    private boolean outage;

    private ModbusSource(ModbusBus bus, boolean ownsBus, int unit, ModbusRegisterMap map, Clock clock) {
        this.where = bus.where() + " unit " + unit;
        this.description = bus + " unit " + unit + " (" + map.name() + ")";
        this.bus = bus;
        this.ownsBus = ownsBus;
        this.unit = unit;
        this.map = map;
        this.lastData = clock.instant();
    }

    /** A meter (or its gateway) at {@code host:port}; nothing is opened before the first measurement. */
    public static ModbusSource tcp(String host, int port, int unit, ModbusRegisterMap map, Clock clock) {
        return new ModbusSource(ModbusBus.tcp(host, port), true, tcpUnit(unit), map, clock);
    }

    /**
     * A meter on a serial port of its own; nothing is opened before the first measurement.
     *
     * @param device e.g. {@code /dev/ttyUSB0}, or better a stable {@code /dev/serial/by-id/...} link
     * @param baud the meter's speed (see {@link ModbusRegisterMap#defaultBaud()})
     */
    public static ModbusSource rtu(Path device, int baud, SerialFormat format, int unit, ModbusRegisterMap map, Clock clock) {
        int u = rtuUnit(unit);
        return new ModbusSource(ModbusBus.rtu(device, baud, format, List.of(map)), true, u, map, clock);
    }

    /**
     * A unit on a bus that other sources share (0 to 255; on RTU 1 to 247 answer).
     *
     * @param closesBus whether closing this source closes the bus (its close is idempotent); else the bus's owner does
     */
    static ModbusSource on(ModbusBus bus, boolean closesBus, int unit, ModbusRegisterMap map, Clock clock) {
        return new ModbusSource(bus, closesBus, tcpUnit(unit), map, clock);
    }

    /** This source's bus, for other units on the same line. */
    ModbusBus bus() {
        return bus;
    }

    int unit() {
        return unit;
    }

    private static int tcpUnit(int unit) {
        if (unit < 0 || unit > 255) {
            throw new IllegalArgumentException("a Modbus TCP unit is 0 to 255, not " + unit);
        }
        return unit;
    }

    private static int rtuUnit(int unit) {
        if (unit < 1 || unit > 247) {
            throw new IllegalArgumentException("a Modbus RTU unit (slave address) is 1 to 247, not " + unit);
        }
        return unit;
    }

    /**
     * How long j2mod waits for each part of a reply (it reads the header, then the payload, each with this
     * timeout): the meter's latency plus the time the whole reply takes on the line at this speed, twice over.
     * SDM120's block at 2400 baud takes about 0.64 s, so a fixed second would be too short at 1200 baud.
     */
    static int rtuTimeoutMillis(ModbusRegisterMap map, int baud, SerialFormat format) {
        int replyBytes = 5 + 2 * map.count(); // unit, function, byte count, the registers, CRC
        int bitsPerChar = 1 + format.dataBits() + (format.parity() == 'N' ? 0 : 1) + format.stopBits();
        return RTU_LATENCY_MS + (int) (2L * replyBytes * bitsPerChar * 1000 / baud);
    }

    @Override
    public synchronized Measurement measure(Instant now, double lastKwh, Instant lastTs) {
        ModbusRegisterMap.Values v;
        try {
            v = map.decode(bus.readInputRegisters(unit, map.first(), map.count()));
        } catch (Exception e) {
            failures.incrementAndGet();
            noReading(e.getMessage() != null ? e.getMessage() : e.toString());
            return null;
        }
        String implausible = v.implausible(ReadingLimits.DEFAULTS);
        if (implausible != null) {
            refused.incrementAndGet();
            noReading(implausible + ": refused");
            return null;
        }
        reads.incrementAndGet();
        lastData = now;
        if (outage) {
            outage = false;
            LOG.info("{}: reading again", where);
        }
        return new Measurement(v.energyKwh(), v.powerW(), v.voltageV(), v.currentA());
    }

    private void noReading(String why) {
        if (!outage) {
            outage = true;
            LOG.warn("{}: no reading ({}); retrying at each interval", where, why);
        }
    }

    /** The time of the last read that gave a reading; the source's creation if none has. */
    @Override
    public Instant lastData() {
        return lastData;
    }

    /** Reads of this unit that failed or were refused since start. */
    long failures() {
        return failures.get() + refused.get();
    }

    /**
     * {@code modbus.reads} (reads that gave a reading), {@code modbus.failures} (reads that failed, including
     * opens of an absent port), {@code modbus.reopened} (connections opened again after a failure, on the whole bus),
     * {@code modbus.refused} (reads whose values no meter gives), {@code modbus.close.hung} (see {@link ModbusBus}).
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("modbus.reads", reads.get());
        c.put("modbus.failures", failures.get());
        c.put("modbus.reopened", bus.reopened());
        c.put("modbus.refused", refused.get());
        c.put("modbus.close.hung", bus.closeHung());
        return Collections.unmodifiableMap(c);
    }

    @Override
    public String toString() {
        return description;
    }

    /** Closes the bus when this source opened it alone; a shared bus is closed by its owner. */
    @Override
    public synchronized void close() {
        if (ownsBus) {
            bus.close();
        }
    }
}
