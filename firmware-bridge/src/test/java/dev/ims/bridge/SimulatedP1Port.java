package dev.ims.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A P1 port in memory with a meter behind it at one serial setting: what the meter {@link #send sends} arrives as it
 * is on a line opened at the meter's setting, and as noise of the same length at any other (as a UART at the wrong
 * speed delivers it). It can be {@link #unplug unplugged}: open streams end, opening fails, until {@link #plug}.
 * Reads follow {@link P1Port#open}'s contract: a quiet line throws {@link InterruptedIOException} after a short wait.
 */
final class SimulatedP1Port implements P1Port {

    /** Bytes a UART at the wrong speed makes of a meter's characters; none is (or, 7-bit, masks to) '/' or '!'. */
    static final byte[] NOISE = {0x00, (byte) 0x80, (byte) 0xF8, (byte) 0xE0, (byte) 0xFE, (byte) 0xFC, 0x78, 0x1E, (byte) 0xC0, 0x06};

    private final Setting meter;
    private final BlockingQueue<byte[]> wire = new LinkedBlockingQueue<>();
    private final AtomicInteger generation = new AtomicInteger();
    private final Random noise = new Random(7);
    private volatile boolean plugged;
    /** Every setting the source opened the port at, in order. */
    final List<Setting> opened = new CopyOnWriteArrayList<>();

    SimulatedP1Port(Setting meter, boolean plugged) {
        this.meter = meter;
        this.plugged = plugged;
    }

    /** The meter sends these bytes; lost when the port is unplugged. */
    void send(byte[] bytes) {
        if (plugged) {
            wire.add(bytes.clone());
        }
    }

    void unplug() {
        plugged = false;
        generation.incrementAndGet();
        wire.clear();
    }

    void plug() {
        plugged = true;
    }

    @Override
    public InputStream open(Setting setting) throws IOException {
        if (!plugged) {
            throw new IOException("no such device");
        }
        opened.add(setting);
        boolean match = setting.equals(meter);
        int gen = generation.get();
        return new InputStream() {
            private byte[] pending = new byte[0];
            private int pos;
            private volatile boolean closed;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (closed || gen != generation.get()) {
                    return -1;
                }
                if (pos == pending.length) {
                    byte[] next;
                    try {
                        next = wire.poll(20, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted");
                    }
                    if (next == null) {
                        throw new InterruptedIOException("quiet line");
                    }
                    if (!match) {
                        for (int i = 0; i < next.length; i++) {
                            next[i] = NOISE[noise.nextInt(NOISE.length)];
                        }
                    }
                    pending = next;
                    pos = 0;
                }
                int n = Math.min(len, pending.length - pos);
                System.arraycopy(pending, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() {
                closed = true;
            }
        };
    }

    @Override
    public String name() {
        return "simulated P1 port (meter at " + meter + ")";
    }
}
