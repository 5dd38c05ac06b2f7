package dev.ims.bridge;

import dev.ims.model.retry.Backoff;
import dev.ims.bridge.P1Port.Setting;
import dev.ims.model.log.LogSafe;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measurements from the meter's P1 port: a thread opens the {@link P1Port} (jSerialComm on the Pi), reads telegrams
 * and keeps the newest one that passes {@link P1Telegram}'s checks; each reading takes the register the meter itself
 * reports, so nothing is lost while the bridge is stopped. A telegram older than {@link #STALE} is not reported.
 *
 * <p><b>Speed and format.</b> Fixed by {@link Options#baud()} and {@link Options#format()}, or detected: the settings of
 * {@link Options#candidates()} (115200 8N1 for DSMR 4/5, e-MUCS and Smarty, 9600 7E1 for DSMR 2.2/3) are tried in turn
 * for {@link Options#detectionWindow()} each (old meters send every 10 s) until a valid telegram arrives; that setting
 * is kept for every later reopening, and logged once.
 *
 * <p><b>Reopening.</b> When the port cannot be opened, or its stream ends or fails (a USB cable pulled), the loss is
 * logged once and the port is opened again with {@link Options#backoff()} (1 s doubling to 30 s by default); when data
 * flows again, one line says after how long. The reader thread never gives up while the source is open: a failure in
 * it counts as a loss of the port. Only an {@link Error} can end it, and then {@link #lastData()} stops advancing, so
 * the bridge's rule on silence stops the process.
 *
 * <p><b>Smarty.</b> With {@link Options#cipher()} the port carries encrypted DLMS frames ({@link SmartyCipher}), which
 * are decrypted before the telegram inside is checked.
 *
 * <p><b>Counters</b> ({@link #counters()}, all present from the start, only growing):
 * <ul>
 *   <li>{@code bytes.read}: bytes received from the port;
 *   <li>{@code telegrams.valid}: telegrams accepted;
 *   <li>{@code telegrams.rejected.crc}: wrong or malformed CRC; {@code telegrams.rejected.nocrc}: a DSMR 4+ telegram
 *       without one; {@code telegrams.rejected.unit}: a unit the bridge cannot convert; {@code telegrams.rejected.noimport}:
 *       no import register; {@code telegrams.rejected.oversize}: a runaway frame cut at {@link #MAX_TELEGRAM};
 *       {@code telegrams.rejected.truncated}: broken off by the next telegram; {@code telegrams.rejected.frame}: no
 *       {@code /…!} frame, or not a DLMS frame; {@code telegrams.rejected.decrypt}: an encrypted frame that does not
 *       authenticate (wrong key); {@code telegrams.rejected.other}: anything else ({@link P1Rejection});
 *   <li>{@code port.lost}: times the port went away after it had delivered data; {@code port.reopened}: times it came
 *       back (data flowing again); {@code port.open.failed}: failed attempts to open it.
 * </ul>
 * The first rejection of each kind is logged, later ones only counted.
 *
 * <p>Thread-safe: one reader thread writes, the bridge's thread reads through volatile fields and atomic counters.
 */
public final class P1Source implements EnergySource {

    private static final Logger LOG = LoggerFactory.getLogger(P1Source.class);
    static final Duration STALE = Duration.ofSeconds(60);
    /** Longer than any real telegram: a stream without a '!' is cut here. */
    static final int MAX_TELEGRAM = 16 * 1024;

    /**
     * How the port is read.
     *
     * @param baud the fixed speed, or null to detect it
     * @param format the fixed character format, or null to detect it
     * @param cipher the Smarty key, or null for plain telegrams
     * @param detectionWindow how long each setting is given to deliver a valid telegram while detecting
     * @param backoff the waits between attempts to open a port that went away
     */
    public record Options(Integer baud, SerialFormat format, SmartyCipher cipher, Duration detectionWindow, Backoff backoff) {

        /** Old meters send a telegram every 10 s: 25 s sees at least one whole telegram after opening mid-way. */
        public static final Duration DEFAULT_DETECTION_WINDOW = Duration.ofSeconds(25);

        /**
         * A P1 port that goes away: tried again after 1 s, 2 s, 4 s … at most every 30 s. Without jitter: it paces one
         * local device (a serial port coming back), not a crowd of clients at one server.
         */
        public static final Backoff DEFAULT_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        /** The settings detection tries, in this order. */
        public static final List<Setting> DETECTED = List.of(Setting.DSMR4, Setting.DSMR22);

        public Options {
            if (detectionWindow.isNegative() || detectionWindow.isZero()) {
                throw new IllegalArgumentException("detection window must be positive");
            }
            if (baud != null && baud <= 0) {
                throw new IllegalArgumentException("baud must be positive, not " + baud);
            }
        }

        /** Speed and format detected, plain telegrams, the default window and backoff. */
        public static Options auto() {
            return new Options(null, null, null, DEFAULT_DETECTION_WINDOW, DEFAULT_BACKOFF);
        }

        /** These options with the speed and format fixed where not null (null: detected). */
        public Options withSetting(Integer baud, SerialFormat format) {
            return new Options(baud, format, cipher, detectionWindow, backoff);
        }

        public Options withCipher(SmartyCipher cipher) {
            return new Options(baud, format, cipher, detectionWindow, backoff);
        }

        public Options withDetectionWindow(Duration window) {
            return new Options(baud, format, cipher, window, backoff);
        }

        public Options withBackoff(Backoff backoff) {
            return new Options(baud, format, cipher, detectionWindow, backoff);
        }

        /**
         * The settings to try, in order: those of {@link #DETECTED} that agree with what is fixed; when none does (a speed
         * or format no DSMR meter uses), the fixed parts completed with 115200 and 8N1 (9600 for 7E1).
         */
        public List<Setting> candidates() {
            List<Setting> c = DETECTED.stream()
                    .filter(s -> (baud == null || s.baud() == baud) && (format == null || s.format().equals(format)))
                    .toList();
            if (!c.isEmpty()) {
                return c;
            }
            SerialFormat f = format != null ? format : SerialFormat.F8N1;
            return List.of(new Setting(baud != null ? baud : f.equals(SerialFormat.F7E1) ? 9_600 : 115_200, f));
        }
    }

    private final P1Port port;
    private final Options options;
    private final Clock clock;
    private final Instant started;
    private final List<Setting> candidates;
    private final Thread reader;
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile P1Telegram latest;
    private volatile Instant latestAt;
    private volatile Setting detected;
    private volatile InputStream current;
    private volatile boolean closed;

    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong valid = new AtomicLong();
    private final Map<P1Rejection, AtomicLong> rejected = new EnumMap<>(P1Rejection.class);
    private final AtomicLong portLost = new AtomicLong();
    private final AtomicLong portReopened = new AtomicLong();
    private final AtomicLong portOpenFailed = new AtomicLong();

    private P1Source(P1Port port, Options options, Clock clock) {
        this.port = port;
        this.options = options;
        this.clock = clock;
        this.started = clock.instant();
        this.candidates = options.candidates();
        for (P1Rejection r : P1Rejection.values()) {
            rejected.put(r, new AtomicLong());
        }
        if (candidates.size() == 1) {
            detected = candidates.get(0);
        }
        this.reader = new Thread(this::readLoop, "p1-reader");
        reader.setDaemon(true);
        reader.setUncaughtExceptionHandler((t, e) -> LOG.error("P1 reader on {} stopped by {}: no more readings; the bridge exits after "
                + "its silence limit", port.name(), e.toString()));
    }

    /** Starts reading {@code port} on a thread of its own; it keeps (re)opening the port until {@link #close()}. */
    public static P1Source start(P1Port port, Options options, Clock clock) {
        P1Source s = new P1Source(port, options, clock);
        s.reader.start();
        return s;
    }

    /** How one session on the open port ended. */
    private enum End { LOST, NOTHING_VALID, CLOSED }

    /** The reader thread's state, kept across sessions. */
    private final class Loop {
        /** When (System.nanoTime) the port was lost, or first failed to open; null while it delivers. */
        Long troubleSince;
        /** Whether the port ever delivered data: its return is then a reopening. */
        boolean everUp;
        int attempt;
        int next;
        boolean firstRound = true;
        boolean openedOnce;
        String lostReason;
    }

    private void readLoop() {
        Loop l = new Loop();
        P1Framer framer = options.cipher() != null ? P1Framer.smarty(options.cipher(), sink()) : P1Framer.text(sink());
        while (!closed) {
            Setting s = detected != null ? detected : candidates.get(l.next);
            InputStream in;
            try {
                in = port.open(s);
            } catch (IOException | RuntimeException e) {
                portOpenFailed.incrementAndGet();
                trouble(l, e.getMessage() == null ? e.toString() : e.getMessage());
                pause(options.backoff().next(l.attempt++));
                continue;
            }
            if (!l.openedOnce) {
                l.openedOnce = true;
                LOG.info("P1 port {} open at {}{}{}", port.name(), s, detected == null ? " (detecting: " + describe(candidates) + " in turn)" : "",
                        options.cipher() != null ? ", decrypting Smarty frames" : "");
            }
            current = in;
            End end;
            framer.reset();
            try {
                end = closed ? End.CLOSED : session(in, s, framer, l);
            } catch (IOException | RuntimeException e) {
                end = End.LOST;
                l.lostReason = e instanceof EOFException || e.getMessage() == null ? e.toString() : e.getMessage();
            } finally {
                current = null;
                closeQuietly(in);
            }
            if (end == End.CLOSED || closed) {
                break;
            }
            if (end == End.NOTHING_VALID) {
                l.next = (l.next + 1) % candidates.size();
                if (l.firstRound) {
                    LOG.info("P1 port {}: no valid telegram at {} within {}; trying {}", port.name(), s, human(options.detectionWindow()),
                            candidates.get(l.next));
                    l.firstRound = l.next != 0;
                }
                continue;
            }
            trouble(l, l.lostReason);
            pause(options.backoff().next(l.attempt++));
        }
    }

    /** The port is gone or will not open: logged once per outage. */
    private void trouble(Loop l, String reason) {
        if (l.troubleSince != null) {
            LOG.debug("P1 port {} still away: {}", port.name(), reason);
            return;
        }
        l.troubleSince = System.nanoTime();
        if (l.everUp) {
            portLost.incrementAndGet();
            LOG.warn("P1 port {} lost: {}; reopening", port.name(), LogSafe.of(reason));
        } else {
            LOG.warn("P1 port {} cannot be opened: {}; trying again (backoff up to {})", port.name(), LogSafe.of(reason),
                    human(options.backoff().max()));
        }
    }

    /** Data flows on the port: an outage, if there was one, is over. */
    private void up(Loop l) {
        if (l.troubleSince != null) {
            Duration away = Duration.ofNanos(System.nanoTime() - l.troubleSince);
            if (l.everUp) {
                portReopened.incrementAndGet();
                LOG.info("P1 port {} reopened after {}", port.name(), human(away));
            } else {
                LOG.info("P1 port {} delivers data after {}", port.name(), human(away));
            }
            l.troubleSince = null;
        }
        l.everUp = true;
        l.attempt = 0;
    }

    private End session(InputStream in, Setting s, P1Framer framer, Loop l) throws IOException {
        byte[] buf = new byte[4096];
        // DSMR 2.2/3 text is 7-bit: a parity bit a driver leaves in place is no part of it. Encrypted frames are binary.
        int mask = s.format().dataBits() < 8 && options.cipher() == null ? 0x7F : 0xFF;
        boolean detecting = detected == null;
        long validBefore = valid.get();
        long deadline = System.nanoTime() + options.detectionWindow().toNanos();
        boolean flowing = false;
        while (!closed) {
            int n;
            try {
                n = in.read(buf);
            } catch (InterruptedIOException quiet) {
                n = 0;
            }
            if (closed) {
                return End.CLOSED;
            }
            if (n < 0) {
                throw new EOFException("the port's stream ended");
            }
            if (n > 0) {
                if (!flowing) {
                    flowing = true;
                    up(l);
                }
                bytesRead.addAndGet(n);
                for (int i = 0; i < n; i++) {
                    framer.feed(buf[i] & mask);
                }
            }
            if (detecting) {
                if (valid.get() > validBefore) {
                    detected = s;
                    detecting = false;
                    LOG.info("P1 port {}: meter detected at {} ({}); kept for reopenings", port.name(), s,
                            s.equals(Setting.DSMR22) ? "DSMR 2.2/3" : s.equals(Setting.DSMR4) ? "DSMR 4/5" : "as configured");
                } else if (System.nanoTime() - deadline > 0) {
                    return End.NOTHING_VALID;
                }
            }
        }
        return End.CLOSED;
    }

    private P1Framer.Sink sink() {
        return new P1Framer.Sink() {
            @Override
            public void telegram(String text) {
                accept(text);
            }

            @Override
            public void rejected(P1Rejection reason, String detail) {
                reject(reason, detail);
            }
        };
    }

    private void accept(String telegram) {
        try {
            P1Telegram p = P1Telegram.parse(telegram);
            if (p.importKwh() == null) {
                reject(P1Rejection.NOIMPORT, "no import register (1-0:1.8.1/1.8.2 or 1.8.0)");
                return;
            }
            latest = p;
            latestAt = clock.instant();
            if (valid.incrementAndGet() == 1) {
                LOG.info("P1: first valid telegram from {}", LogSafe.of(p.header()));
            }
        } catch (P1Rejection.RejectedException e) {
            reject(e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            reject(P1Rejection.OTHER, e.toString());
        }
    }

    private void reject(P1Rejection reason, String detail) {
        if (rejected.get(reason).incrementAndGet() == 1) {
            LOG.warn("P1: telegram rejected ({}); later ones of this kind are counted in {}, not logged", LogSafe.of(detail), reason.counter());
        }
    }

    private void pause(Duration d) {
        try {
            closing.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** A register summed from tariff registers, to the 0.1 Wh the meters show (no float noise such as 323.45600000000002). */
    private static double round4(double kwh) {
        return Math.round(kwh * 10_000) / 10_000.0;
    }

    @Override
    public Measurement measure(Instant now, double lastKwh, Instant lastTs) {
        P1Telegram p = latest;
        Instant at = latestAt;
        if (p == null || at.isBefore(now.minus(STALE))) {
            return null;
        }
        return new Measurement(round4(p.importKwh()), p.powerW(), p.voltageV(), p.currentA(),
                p.exportKwh() == null ? null : round4(p.exportKwh()), p.exportPowerW());
    }

    /** When the last valid telegram was accepted, or when this source started if none has been. */
    @Override
    public Instant lastData() {
        Instant at = latestAt;
        return at != null ? at : started;
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("bytes.read", bytesRead.get());
        c.put("telegrams.valid", valid.get());
        rejected.forEach((r, n) -> c.put(r.counter(), n.get()));
        c.put("port.lost", portLost.get());
        c.put("port.reopened", portReopened.get());
        c.put("port.open.failed", portOpenFailed.get());
        return Collections.unmodifiableMap(c);
    }

    /** The setting that delivered valid telegrams (or the one fixed), null while still detecting. */
    public Setting detected() {
        return detected;
    }

    private static String describe(List<Setting> settings) {
        List<String> s = new ArrayList<>();
        settings.forEach(x -> s.add(x.toString()));
        return String.join(", ", s);
    }

    private static String human(Duration d) {
        return d.toMillis() < 10_000 ? String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0) : d.toSeconds() + " s";
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("P1 close: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "the P1 port " + port.name() + " (" + (detected != null ? detected.toString() : "detecting " + describe(candidates))
                + (options.cipher() != null ? ", Smarty decryption" : "") + ")";
    }

    @Override
    public void close() {
        closed = true;
        closing.countDown();
        InputStream in = current;
        if (in != null) {
            closeQuietly(in);
        }
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
