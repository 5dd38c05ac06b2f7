package dev.ims.bridge;

import com.fazecast.jSerialComm.SerialPortThreadFactory;
import com.ghgande.j2mod.modbus.Modbus;
import com.ghgande.j2mod.modbus.facade.AbstractModbusMaster;
import com.ghgande.j2mod.modbus.facade.ModbusSerialMaster;
import com.ghgande.j2mod.modbus.facade.ModbusTCPMaster;
import com.ghgande.j2mod.modbus.net.AbstractSerialConnection;
import com.ghgande.j2mod.modbus.procimg.InputRegister;
import com.ghgande.j2mod.modbus.util.SerialParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Modbus master on one line: a Modbus TCP connection (a meter with Ethernet, or an RS485 gateway) or a serial port
 * (an RS485 bus behind a USB stick), shared by every {@link ModbusSource} on it: the main meter and the per-circuit
 * meters (PZEM-004T units at their own addresses) on the same RS485 pair are read one after the other through one
 * master, as Modbus RTU allows (one master per bus, one request at a time).
 *
 * <p>A read that fails (no answer in time, a CRC error, an exception from the unit, the port gone) closes the
 * connection; the next read opens it anew, so an unplugged USB stick is found again when it comes back. Reads are
 * serialised: one request on the line at a time. Thread-safe.
 */
final class ModbusBus implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModbusBus.class);

    private static final String ABSENT = "device absent (unplugged?)";

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

    /** How the bus is reached. */
    private interface Port {

        /** A master on the line, connected; called at the first read and again after every failure. */
        AbstractModbusMaster open() throws Exception;

        /** Why the line cannot be reached now (its serial device is absent), checked before every read; else null. */
        default String gone() {
            return null;
        }
    }

    private final String where;
    private final String description;
    private final Port port;
    private final AtomicLong reopened = new AtomicLong();
    private final AtomicLong closeHung = new AtomicLong();
    private AbstractModbusMaster master;
    private boolean everOpened;

    private ModbusBus(String where, String description, Port port) {
        this.where = where;
        this.description = description;
        this.port = port;
    }

    /** Modbus TCP to {@code host:port}; nothing is opened before the first read. */
    static ModbusBus tcp(String host, int port) {
        String where = "Modbus TCP " + host + ":" + port;
        return new ModbusBus(where, where, () -> {
            // reconnect: j2mod opens a connection per transaction, which gateways that drop idle clients need.
            ModbusTCPMaster m = new ModbusTCPMaster(host, port, ModbusSource.TCP_TIMEOUT_MS, true);
            m.connect();
            return m;
        });
    }

    /**
     * Modbus RTU on a serial port; nothing is opened before the first read.
     *
     * @param device e.g. {@code /dev/ttyUSB0}, or better a stable {@code /dev/serial/by-id/...} link
     * @param baud the bus's speed: every unit on it must be set to it
     * @param maps the layouts read on this bus: the reply timeout allows for the longest block
     */
    static ModbusBus rtu(Path device, int baud, SerialFormat format, Collection<ModbusRegisterMap> maps) {
        if (baud <= 0) {
            throw new IllegalArgumentException("baud must be positive, not " + baud);
        }
        int timeout = maps.stream().mapToInt(m -> ModbusSource.rtuTimeoutMillis(m, baud, format)).max()
                .orElseThrow(() -> new IllegalArgumentException("a bus needs at least one register map"));
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
        return new ModbusBus("Modbus RTU " + device, "Modbus RTU " + device + " " + baud + " " + format, port);
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
            m.setRetries(ModbusSource.RTU_TRIES);
        } catch (Exception e) {
            close(m);
            throw e;
        }
        return m;
    }

    /**
     * Reads {@code count} input registers (function 0x04) of {@code unit} from {@code first}, opening the line first
     * when it is not open; a failure closes it and is thrown.
     *
     * @return the registers' unsigned 16-bit contents
     */
    synchronized int[] readInputRegisters(int unit, int first, int count) throws Exception {
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
            InputRegister[] r = master.readInputRegisters(unit, first, count);
            int[] block = new int[r.length];
            for (int i = 0; i < r.length; i++) {
                block[i] = r[i].toUnsignedShort();
            }
            return block;
        } catch (Exception e) {
            closeMaster();
            throw e;
        }
    }

    /** Connections opened again after a failure. */
    long reopened() {
        return reopened.get();
    }

    /** Closes that hung and were left behind (see {@link #closeMaster()}). */
    long closeHung() {
        return closeHung.get();
    }

    /** How the line is reached, e.g. {@code Modbus RTU /dev/ttyUSB0} (for logs, with a unit after it). */
    String where() {
        return where;
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Closes the master, if any, on a thread of its own, waiting at most {@link ModbusSource#CLOSE_WAIT}: closing a
     * serial port whose device has just vanished can deadlock. j2mod 3.2.1's SerialConnection closes the port from
     * jSerialComm's event thread when the disconnect event comes; jSerialComm 2.10.4's closePort() holds the port's
     * configuration lock while it joins that event thread, which waits for the same lock. Seen in ModbusRtuIT (both
     * threads' stacks in closePort, forever) when a port was closed just as socat was killed. A close that hangs is
     * counted and left behind (a daemon thread and the descriptor of a device that is gone); the next read opens a
     * new port.
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
            closer.join(ModbusSource.CLOSE_WAIT.toMillis());
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

    /** Closes the line; a later read opens it again. Idempotent. */
    @Override
    public synchronized void close() {
        closeMaster();
    }
}
