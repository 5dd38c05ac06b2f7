package dev.ims.bridge;

import com.fazecast.jSerialComm.SerialPortThreadFactory;
import com.ghgande.j2mod.modbus.Modbus;
import com.ghgande.j2mod.modbus.facade.AbstractModbusMaster;
import com.ghgande.j2mod.modbus.facade.ModbusSerialMaster;
import com.ghgande.j2mod.modbus.facade.ModbusTCPMaster;
import com.ghgande.j2mod.modbus.net.AbstractSerialConnection;
import com.ghgande.j2mod.modbus.procimg.InputRegister;
import com.ghgande.j2mod.modbus.util.SerialParameters;
import dev.ims.model.reading.ReadingLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurements read over Modbus from the meter's input registers, laid out as a {@link ModbusRegisterMap} says:
 * over Modbus TCP (a meter with Ethernet, or an RS485 meter behind a gateway) or Modbus RTU (the meter on a
 * serial port, usually a USB-RS485 stick). One read per measurement fetches the whole block, so the values
 * are of one moment; the register comes from the meter itself, so nothing is lost while the bridge is stopped.
 *
 * <p>A read that fails (no answer in time, a CRC error, an exception from the meter, the port gone) yields no
 * reading and closes the connection; the next measurement opens it anew, so an unplugged USB stick is found
 * again when it comes back. Values that no real meter gives are refused. Both are counted, and logged once
 * when the readings stop and once when they come back. Calls are serialised: one read at a time.
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
    private static final String ABSENT = "device absent (unplugged?)";
    /** Longest wait for a connection to close (see {@link #closeMaster()}); a close takes milliseconds. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    static {
        // jSerialComm's event thread (one per open port, j2mod listens for disconnection on it) is made by this
        // factory; by default it inherits the opener's daemon flag. Daemon and named: one stuck in the deadlock
        // described at closeMaster() never keeps the bridge's JVM from ending.
        SerialPortThreadFactory.set(r -> {
            Thread t = new Thread(r, "jserialcomm-events");
            t.setDaemon(true);
            return t;
        });
    }

    /** How the source reaches the meter. */
    private interface Port {

        /** A master to the meter, connected; called at the first read and again after every failure. */
        AbstractModbusMaster open() throws Exception;

        /** Why the meter cannot be reached now (its serial device is absent), checked before every read; else null. */
        default String gone() {
            return null;
        }
    }

    private final String where;
    private final String description;
    private final Port port;
    private final int unit;
    private final ModbusRegisterMap map;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong reopened = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong closeHung = new AtomicLong();
    private volatile Instant lastData;
    private AbstractModbusMaster master;
    private boolean everOpened;
    private boolean outage;

    private ModbusSource(String where, String description, Port port, int unit, ModbusRegisterMap map, Clock clock) {
        this.where = where;
        this.description = description;
        this.port = port;
        this.unit = unit;
        this.map = map;
        this.lastData = clock.instant();
    }

    /** A meter (or its gateway) at {@code host:port}; nothing is opened before the first measurement. */
    public static ModbusSource tcp(String host, int port, int unit, ModbusRegisterMap map, Clock clock) {
        if (unit < 0 || unit > 255) {
            throw new IllegalArgumentException("a Modbus TCP unit is 0 to 255, not " + unit);
        }
        String where = "Modbus TCP " + host + ":" + port + " unit " + unit;
        return new ModbusSource(where, where + " (" + map.name() + ")", () -> {
            // reconnect: j2mod opens a connection per transaction, which gateways that drop idle clients need.
            ModbusTCPMaster m = new ModbusTCPMaster(host, port, TCP_TIMEOUT_MS, true);
            m.connect();
            return m;
        }, unit, map, clock);
    }

    /**
     * A meter on a serial port; nothing is opened before the first measurement.
     *
     * @param device e.g. {@code /dev/ttyUSB0}, or better a stable {@code /dev/serial/by-id/...} link
     * @param baud the meter's speed (see {@link ModbusRegisterMap#defaultBaud()})
     */
    public static ModbusSource rtu(Path device, int baud, SerialFormat format, int unit, ModbusRegisterMap map, Clock clock) {
        if (unit < 1 || unit > 247) {
            throw new IllegalArgumentException("a Modbus RTU unit (slave address) is 1 to 247, not " + unit);
        }
        if (baud <= 0) {
            throw new IllegalArgumentException("baud must be positive, not " + baud);
        }
        int timeout = rtuTimeoutMillis(map, baud, format);
        Port port = new Port() {
            @Override
            public AbstractModbusMaster open() throws Exception {
                return openSerial(device, baud, format, timeout);
            }

            // Unplugged: the port is closed at once, not after j2mod has tried to reopen the vanished device
            // (ModbusSerialTransport reopens a port its disconnect listener closed, three tries) and timed out.
            @Override
            public String gone() {
                return Files.exists(device) ? null : ABSENT;
            }
        };
        return new ModbusSource("Modbus RTU " + device + " unit " + unit,
                "Modbus RTU " + device + " " + baud + " " + format + " unit " + unit + " (" + map.name() + ")", port, unit, map, clock);
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

    private static AbstractModbusMaster openSerial(Path device, int baud, SerialFormat format, int timeout) throws Exception {
        // jSerialComm's SerialPort.getCommPort (2.10.4), given a path that does not exist, tries /dev/<name> and
        // /dev/<last part> instead, and fails with an unchecked SerialPortInvalidPortException if neither exists:
        // an absent device is told here, plainly, and never mistaken for another port.
        if (!Files.exists(device)) {
            throw new IOException(ABSENT);
        }
        SerialParameters p = new SerialParameters();
        p.setPortName(device.toString());
        p.setEncoding(Modbus.SERIAL_ENCODING_RTU);
        p.setBaudRate(baud);
        p.setDatabits(format.dataBits());
        p.setParity(switch (format.parity()) {
            case 'E' -> AbstractSerialConnection.EVEN_PARITY;
            case 'O' -> AbstractSerialConnection.ODD_PARITY;
            default -> AbstractSerialConnection.NO_PARITY;
        });
        p.setStopbits(format.stopBits() == 2 ? AbstractSerialConnection.TWO_STOP_BITS : AbstractSerialConnection.ONE_STOP_BIT);
        // A stick with automatic direction control does not hear its own request; one that echoes would need setEcho.
        p.setEcho(false);
        // A new master, hence a new SerialConnection, at every open: getCommPort resolves a symbolic link
        // (/dev/serial/by-id/..., or a pty's link) to its target once, and j2mod's own reopen after a failure
        // (ModbusSerialTransport.open) reuses that SerialPort, so a stick that comes back as /dev/ttyUSB1, or a pty
        // pair made anew, would never be found again.
        ModbusSerialMaster m = new ModbusSerialMaster(p, timeout);
        try {
            m.connect();
            // After connect(): the transaction that keeps the tries is made there, and setRetries before it is
            // lost without a word (j2mod 3.2.1, AbstractModbusMaster), leaving 5 tries with up to 0.5 s * n
            // sleeps between them: 8.5 s for a meter that does not answer at a 1 s timeout, measured on a pty.
            m.setRetries(RTU_TRIES);
        } catch (Exception e) {
            close(m);
            throw e;
        }
        return m;
    }

    @Override
    public synchronized Measurement measure(Instant now, double lastKwh, Instant lastTs) {
        ModbusRegisterMap.Values v;
        try {
            String gone = port.gone();
            if (gone != null) {
                throw new IOException(gone);
            }
            if (master == null) {
                master = port.open();
                if (everOpened) {
                    reopened.incrementAndGet();
                }
                everOpened = true;
            }
            InputRegister[] r = master.readInputRegisters(unit, map.first(), map.count());
            int[] block = new int[r.length];
            for (int i = 0; i < r.length; i++) {
                block[i] = r[i].toUnsignedShort();
            }
            v = map.decode(block);
        } catch (Exception e) {
            failures.incrementAndGet();
            noReading(e.getMessage() != null ? e.getMessage() : e.toString());
            closeMaster();
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

    /**
     * Closes the master, if any, on a thread of its own, waiting at most {@link #CLOSE_WAIT}: closing a serial port
     * whose device has just vanished can deadlock. j2mod 3.2.1's SerialConnection closes the port from jSerialComm's
     * event thread when the disconnect event comes; jSerialComm 2.10.4's closePort() holds the port's configuration
     * lock while it joins that event thread, which waits for the same lock. Seen in ModbusRtuIT (both threads' stacks
     * in closePort, forever) when a port was closed just as socat was killed. A close that hangs is counted and
     * left behind (a daemon thread and the descriptor of a device that is gone); the next read opens a new port.
     */
    private void closeMaster() {
        AbstractModbusMaster m = master;
        master = null;
        if (m == null) {
            return;
        }
        Thread closer = new Thread(() -> close(m), "modbus-close");
        closer.setDaemon(true);
        closer.start();
        try {
            closer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closer.isAlive()) {
            closeHung.incrementAndGet();
            LOG.warn("{}: closing the port hangs (jSerialComm); left behind, a new port is opened at the next read", where);
        }
    }

    /** Ends a master whatever state it is in; j2mod's disconnect() skips a serial port its listener closed already. */
    private static void close(AbstractModbusMaster m) {
        try {
            m.disconnect();
            if (m instanceof ModbusSerialMaster s) {
                s.getConnection().close();
            }
        } catch (RuntimeException e) {
            LOG.debug("Modbus close: {}", e.toString());
        }
    }

    /** The time of the last read that gave a reading; the source's creation if none has. */
    @Override
    public Instant lastData() {
        return lastData;
    }

    /**
     * {@code modbus.reads} (reads that gave a reading), {@code modbus.failures} (reads that failed, including
     * opens of an absent port), {@code modbus.reopened} (connections opened again after a failure),
     * {@code modbus.refused} (reads whose values no meter gives), {@code modbus.close.hung} (see {@link #closeMaster()}).
     */
    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("modbus.reads", reads.get());
        c.put("modbus.failures", failures.get());
        c.put("modbus.reopened", reopened.get());
        c.put("modbus.refused", refused.get());
        c.put("modbus.close.hung", closeHung.get());
        return Collections.unmodifiableMap(c);
    }

    @Override
    public String toString() {
        return description;
    }

    @Override
    public synchronized void close() {
        closeMaster();
    }
}
