package dev.ims.bridge;

import dev.ims.model.retry.Backoff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ims.bridge.P1Port.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The P1 reader on a real pseudo-terminal through jSerialComm: socat joins the "meter" end the test writes to and the
 * "p1" end {@link P1Source} opens, so opening, setting the line, reading, losing and reopening the port all happen as
 * on a Pi with a USB P1 cable. Skipped without /usr/bin/socat (CI installs it).
 */
class P1PortIT {

    /** Seconds per test, not minutes: short detection window and backoff. */
    static final P1Source.Options FAST = P1Source.Options.auto()
            .withDetectionWindow(Duration.ofMillis(1500))
            .withBackoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(400)));

    @TempDir
    Path dir;
    private SocatPty pty;
    private final ScheduledExecutorService meter = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void startPty() throws IOException {
        Assumptions.assumeTrue(SocatPty.available(), "socat is not installed (/usr/bin/socat)");
        pty = new SocatPty(dir).start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        meter.shutdownNow();
        meter.awaitTermination(5, TimeUnit.SECONDS);
        if (pty != null) {
            pty.close();
        }
    }

    private JSerialCommPort jSerialComm() {
        return new JSerialCommPort(pty.port(), Duration.ofMillis(200));
    }

    /** The meter sends {@code bytes} every 200 ms; nothing while the port is away. */
    private void meterSends(byte[] bytes) {
        meter.scheduleAtFixedRate(() -> {
            try {
                pty.write(bytes);
            } catch (IOException away) {
                // socat is down: the cable is unplugged
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
    }

    /**
     * Writes {@code bytes} until the source has read a valid telegram (it has opened the port: what is written before
     * may be dropped), then waits until the copies still on their way have been read.
     */
    private void untilReading(P1Source source, byte[] bytes) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
            pty.write(bytes);
            return source.counters().get("telegrams.valid") > 0;
        });
        quiet(source);
    }

    /** Waits until the source reads nothing more (two looks 300 ms apart see the same byte count). */
    private static void quiet(P1Source source) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
            long now = source.counters().get("bytes.read");
            boolean same = now == last[0];
            last[0] = now;
            return same;
        });
    }

    @Test
    void corpusTelegrams_throughAPty_giveTheirReadings_andEachRejectionIsCountedUnderItsKind() throws Exception {
        byte[] dsmr5 = P1Corpus.load("dsmr5").bytes();
        try (P1Source source = P1Source.start(jSerialComm(), FAST, Clock.systemUTC())) {
            untilReading(source, dsmr5);
            for (String name : List.of("dsmr22", "dsmr42", "fluvius-emucs", "wh-unit", "four-tariff", "three-phase-export", "bad-crc", "dsmr5-no-crc",
                    "unknown-unit", "no-import", "truncated", "garbage", "runaway")) {
                P1Corpus c = P1Corpus.load(name);
                Map<String, Long> before = source.counters();
                pty.write(c.bytes());
                pty.write(dsmr5); // ends a truncated telegram; shows the reader is still in step after each case
                await().atMost(Duration.ofSeconds(5)).alias(name)
                        .until(() -> source.counters().get("bytes.read") == before.get("bytes.read") + c.bytes().length + dsmr5.length);
                await().atMost(Duration.ofSeconds(5)).alias(name)
                        .until(() -> source.counters().get("telegrams.valid") == before.get("telegrams.valid") + (c.source().equals("valid") ? 2 : 1));
                Map<String, Long> after = source.counters();
                for (P1Rejection r : P1Rejection.values()) {
                    long more = c.source().equals(r.name().toLowerCase(Locale.ROOT)) ? 1 : 0;
                    assertThat(after.get(r.counter())).as(name + " " + r.counter()).isEqualTo(before.get(r.counter()) + more);
                }
            }
            assertThat(source.counters().get("port.lost")).isZero();
        }
    }

    @Test
    void eachValidCorpusTelegram_throughAPty_isTheMeasurementReported() throws Exception {
        try (P1Source source = P1Source.start(jSerialComm(), FAST.withSetting(115200, SerialFormat.F8N1), Clock.systemUTC())) {
            for (String name : List.of("dsmr22", "dsmr5", "fluvius-emucs", "smarty", "three-phase-export")) {
                P1Corpus c = P1Corpus.load(name);
                double expected = c.value("importKwh");
                // Written until it is the reading: the first copies may come before the port is open.
                await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).alias(name).until(() -> {
                    pty.write(c.bytes());
                    EnergySource.Measurement m = source.measure(Instant.now(), 0, null);
                    return m != null && Math.abs(m.energyKwh() - expected) < 1e-9;
                });
                EnergySource.Measurement m = source.measure(Instant.now(), 0, null);
                assertThat(m.powerW()).as(name).isEqualTo(c.value("powerW"));
                assertThat(m.voltageV()).as(name).isEqualTo(c.value("voltageV"));
                assertThat(m.currentA()).as(name).isEqualTo(c.value("currentA"));
                quiet(source);
            }
            assertThat(source.counters().get("telegrams.valid")).isPositive();
            assertThat(source.counters().entrySet()).filteredOn(e -> e.getKey().startsWith("telegrams.rejected."))
                    .allMatch(e -> e.getValue() == 0);
        }
    }

    @Test
    void aPortThatGoesAwayAndComesBack_isReopenedOnce_andLastDataStandsStillWhileItIsGone() throws Exception {
        meterSends(P1Corpus.load("dsmr5").bytes());
        try (P1Source source = P1Source.start(jSerialComm(), FAST, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> source.counters().get("telegrams.valid") > 0);
            assertThat(source.detected()).isEqualTo(Setting.DSMR4);

            pty.kill();
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("port.lost") == 1);
            Instant held = source.lastData();
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> source.lastData().equals(held));
            assertThat(source.counters().get("port.open.failed")).as("tried again while away").isPositive();

            pty.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> source.lastData().isAfter(held));
            Map<String, Long> c = source.counters();
            assertThat(c).containsEntry("port.lost", 1L).containsEntry("port.reopened", 1L);
            assertThat(source.detected()).as("kept across the reopening").isEqualTo(Setting.DSMR4);
        }
    }

    @Test
    void anOldMeterAt9600_7E1_isDetected_afterTheWindowAt115200() throws Exception {
        // A pty carries no speed: the simulated meter looks at the setting the bridge opened the port with, and sends
        // its telegram only at its own (9600 7E1); at any other, line noise of the same length, as a UART gives it.
        Setting[] opened = {null};
        P1Port recording = new P1Port() {
            private final JSerialCommPort real = jSerialComm();

            @Override
            public InputStream open(Setting setting) throws IOException {
                InputStream in = real.open(setting);
                opened[0] = setting;
                return in;
            }

            @Override
            public String name() {
                return real.name();
            }
        };
        byte[] telegram = P1Corpus.load("dsmr22").bytes();
        byte[] noise = new byte[telegram.length];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = SimulatedP1Port.NOISE[i % SimulatedP1Port.NOISE.length];
        }
        meter.scheduleAtFixedRate(() -> {
            try {
                pty.write(Setting.DSMR22.equals(opened[0]) ? telegram : noise);
            } catch (IOException away) {
                // not yet
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
        try (P1Source source = P1Source.start(recording, FAST, Clock.systemUTC())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> source.detected() != null);
            assertThat(source.detected()).isEqualTo(Setting.DSMR22);
            assertThat(source.measure(Instant.now(), 0, null).energyKwh()).isEqualTo(361.595);
            assertThat(source.counters().get("telegrams.rejected.frame") + source.counters().get("telegrams.rejected.crc"))
                    .as("noise starts no frame").isZero();
        }
    }

    @Test
    void smartyFrames_throughAPty_areDecrypted_andAWrongKeyOrATamperedFrame_isCountedNotFatal() throws Exception {
        P1Corpus smarty = P1Corpus.load("smarty");
        P1Source.Options keyed = FAST.withCipher(SmartyCipher.ofHex(SmartyFrames.KEY));
        try (P1Source source = P1Source.start(jSerialComm(), keyed, Clock.systemUTC())) {
            int[] counter = {1000};
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
                pty.write(SmartyFrames.encrypt(SmartyFrames.KEY, counter[0]++, smarty.bytes()));
                return source.counters().get("telegrams.valid") > 0;
            });
            quiet(source);
            assertThat(source.measure(Instant.now(), 0, null).energyKwh()).isEqualTo(smarty.value("importKwh"));

            long valid = source.counters().get("telegrams.valid");
            pty.write(SmartyFrames.encrypt("0102030405060708090A0B0C0D0E0F10", counter[0]++, smarty.bytes()));
            byte[] tampered = SmartyFrames.encrypt(SmartyFrames.KEY, counter[0]++, smarty.bytes());
            tampered[100] ^= 0x04;
            pty.write(tampered);
            pty.write(smarty.bytes()); // a plain telegram on an encrypted port: no frame, skipped
            pty.write(SmartyFrames.encrypt(SmartyFrames.KEY, counter[0]++, smarty.bytes()));
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("telegrams.valid") == valid + 1);
            assertThat(source.counters()).containsEntry("telegrams.rejected.decrypt", 2L);
        }
    }
}
