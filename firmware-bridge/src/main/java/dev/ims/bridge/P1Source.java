package dev.ims.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurements from the meter's P1 port: a thread reads telegrams from the serial device (configured
 * beforehand: {@code stty -F /dev/ttyUSB0 115200 cs8 -cstopb -parenb raw}, as the systemd unit does) and
 * keeps the newest one whose CRC checks; each reading takes the register the meter itself reports, so
 * nothing is lost while the bridge is stopped. A telegram older than {@link #STALE} is not reported.
 */
public final class P1Source implements EnergySource {

    private static final Logger LOG = LoggerFactory.getLogger(P1Source.class);
    static final Duration STALE = Duration.ofSeconds(60);
    /** Longer than any real telegram: a stream without a '!' is cut here. */
    static final int MAX_TELEGRAM = 16 * 1024;

    private final Clock clock;
    private final Thread reader;
    private final InputStream in;
    private volatile P1Telegram latest;
    private volatile Instant latestAt;
    private final AtomicLong good = new AtomicLong();
    private final AtomicLong bad = new AtomicLong();
    private volatile boolean closed;

    public P1Source(InputStream in, Clock clock) {
        this.in = in;
        this.clock = clock;
        this.reader = new Thread(this::readLoop, "p1-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        StringBuilder t = new StringBuilder();
        boolean inside = false;
        int afterBang = -1;
        try {
            for (int b; !closed && (b = in.read()) >= 0; ) {
                char c = (char) b;
                if (c == '/') {
                    t.setLength(0);
                    inside = true;
                    afterBang = -1;
                }
                if (!inside) {
                    continue;
                }
                t.append(c);
                if (c == '!' && afterBang < 0) {
                    afterBang = 0;
                } else if (afterBang >= 0 && c == '\n') {
                    accept(t.toString());
                    inside = false;
                } else if (t.length() > MAX_TELEGRAM) {
                    bad.incrementAndGet();
                    inside = false;
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("P1 port closed: {}", e.getMessage());
            }
        }
    }

    private void accept(String telegram) {
        try {
            P1Telegram p = P1Telegram.parse(telegram);
            if (p.importKwh() == null) {
                throw new IllegalArgumentException("no import register (1-0:1.8.1/1.8.2 or 1.8.0)");
            }
            latest = p;
            latestAt = clock.instant();
            if (good.incrementAndGet() == 1) {
                LOG.info("P1: first valid telegram from {}", dev.ims.model.log.LogSafe.of(p.header()));
            }
        } catch (IllegalArgumentException e) {
            if (bad.incrementAndGet() == 1) {
                LOG.warn("P1: telegram rejected ({}); later rejections are counted, not logged", dev.ims.model.log.LogSafe.of(e.getMessage()));
            }
        }
    }

    @Override
    public Measurement measure(Instant now, double lastKwh, Instant lastTs) {
        P1Telegram p = latest;
        Instant at = latestAt;
        if (p == null || at.isBefore(now.minus(STALE))) {
            return null;
        }
        return new Measurement(Math.round(p.importKwh() * 10_000) / 10_000.0, p.powerW(), p.voltageV(), p.currentA(), p.exportKwh(), p.exportPowerW());
    }

    long validTelegrams() {
        return good.get();
    }

    long rejectedTelegrams() {
        return bad.get();
    }

    @Override
    public String toString() {
        return "the P1 port";
    }

    @Override
    public void close() {
        closed = true;
        try {
            in.close();
        } catch (IOException e) {
            LOG.debug("P1 close: {}", e.toString());
        }
    }
}
