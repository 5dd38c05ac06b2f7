package dev.ims.bridge;

import dev.ims.model.retry.Backoff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ims.bridge.P1Port.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The P1 reader on a {@link SimulatedP1Port}: speed and format detection, reopening with backoff, the counters and
 * {@link P1Source#lastData()}; no hardware, no pty (those are {@link P1PortIT}'s).
 */
class P1SourceTest {

    /** Short windows and waits, so that each test takes well under a few seconds. */
    static final P1Source.Options FAST = P1Source.Options.auto()
            .withDetectionWindow(Duration.ofMillis(300))
            .withBackoff(new Backoff(Duration.ofMillis(20), Duration.ofMillis(80)));

    private final ScheduledExecutorService meter = Executors.newSingleThreadScheduledExecutor();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));

    @AfterEach
    void stopMeter() {
        meter.shutdownNow();
    }

    /** The meter sends {@code telegram} every 50 ms (a real one: every 1 or 10 s). */
    private void sending(SimulatedP1Port port, byte[] telegram) {
        meter.scheduleAtFixedRate(() -> port.send(telegram), 0, 50, TimeUnit.MILLISECONDS);
    }

    @Test
    void autoDetection_triesEachSettingInTurn_andKeepsTheOneThatDeliveredForReopenings() {
        SimulatedP1Port port = new SimulatedP1Port(Setting.DSMR22, true);
        sending(port, P1Corpus.load("dsmr22").bytes());
        try (P1Source source = P1Source.start(port, FAST, clock)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> source.detected() != null);
            assertThat(source.detected()).isEqualTo(Setting.DSMR22);
            assertThat(port.opened).as("115200 8N1 first, for its window, then 9600 7E1").startsWith(Setting.DSMR4, Setting.DSMR22);
            assertThat(source.measure(clock.instant(), 0, null).energyKwh()).isEqualTo(361.595);

            int before = port.opened.size();
            port.unplug();
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("port.lost") == 1);
            port.plug();
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("port.reopened") == 1);
            assertThat(port.opened.subList(before, port.opened.size())).as("no detection again after a reopening").containsOnly(Setting.DSMR22);
        }
    }

    @Test
    void aModernMeter_isDetectedAtTheFirstSetting_withoutTryingTheOld() {
        SimulatedP1Port port = new SimulatedP1Port(Setting.DSMR4, true);
        sending(port, P1Corpus.load("dsmr5").bytes());
        try (P1Source source = P1Source.start(port, FAST, clock)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> source.detected() != null);
            assertThat(source.detected()).isEqualTo(Setting.DSMR4);
            assertThat(port.opened).containsOnly(Setting.DSMR4);
        }
    }

    @Test
    void aFixedSetting_isTheOnlyOneOpened_evenWhenNothingValidArrivesOnIt() throws Exception {
        SimulatedP1Port port = new SimulatedP1Port(Setting.DSMR22, true);
        sending(port, P1Corpus.load("dsmr22").bytes());
        try (P1Source right = P1Source.start(port, FAST.withSetting(9600, SerialFormat.F7E1), clock)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> right.counters().get("telegrams.valid") > 0);
            assertThat(port.opened).containsOnly(Setting.DSMR22);
        }
        SimulatedP1Port other = new SimulatedP1Port(Setting.DSMR22, true);
        sending(other, P1Corpus.load("dsmr22").bytes());
        try (P1Source wrong = P1Source.start(other, FAST.withSetting(115200, null), clock)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> wrong.counters().get("bytes.read") > 3_000);
            assertThat(wrong.measure(clock.instant(), 0, null)).as("noise only").isNull();
            assertThat(other.opened).containsOnly(Setting.DSMR4);
        }
    }

    @Test
    void candidates_followWhatIsFixed() {
        assertThat(P1Source.Options.auto().candidates()).containsExactly(Setting.DSMR4, Setting.DSMR22);
        assertThat(P1Source.Options.auto().withSetting(9600, null).candidates()).containsExactly(Setting.DSMR22);
        assertThat(P1Source.Options.auto().withSetting(null, SerialFormat.F8N1).candidates()).containsExactly(Setting.DSMR4);
        assertThat(P1Source.Options.auto().withSetting(9600, SerialFormat.F8N1).candidates())
                .containsExactly(new Setting(9600, SerialFormat.F8N1));
        assertThat(P1Source.Options.auto().withSetting(38400, null).candidates()).containsExactly(new Setting(38400, SerialFormat.F8N1));
    }

    @Test
    void aPortThatCannotBeOpened_isTriedAgainWithBackoff_andReadsOnceItAppears() {
        SimulatedP1Port port = new SimulatedP1Port(Setting.DSMR4, false);
        try (P1Source source = P1Source.start(port, FAST, clock)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("port.open.failed") >= 4);
            long failed = source.counters().get("port.open.failed");
            assertThat(failed).as("backoff, not a busy loop: 20, 40, 80, 80 … ms").isLessThan(30);
            assertThat(source.lastData()).as("the start, while nothing valid came").isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
            port.plug();
            sending(port, P1Corpus.load("dsmr5").bytes());
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("telegrams.valid") > 0);
            assertThat(source.counters().get("port.reopened")).as("never open before: no reopening").isZero();
            assertThat(source.counters().get("port.lost")).isZero();
        }
    }

    @Test
    void lastData_isTheStartUntilAValidTelegram_thenTheTimeOfTheLastValidOne() {
        SimulatedP1Port port = new SimulatedP1Port(Setting.DSMR4, true);
        try (P1Source source = P1Source.start(port, FAST, clock)) {
            Instant start = clock.instant();
            clock.advance(Duration.ofSeconds(30));
            port.send(P1Corpus.load("bad-crc").bytes());
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("telegrams.rejected.crc") == 1);
            assertThat(source.lastData()).as("a rejected telegram is no data").isEqualTo(start);
            port.send(P1Corpus.load("dsmr5").bytes());
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("telegrams.valid") == 1);
            assertThat(source.lastData()).isEqualTo(start.plusSeconds(30));
        }
    }

    @Test
    void reader_keepsTheNewestValidTelegram_countsBadOnes_andStopsReportingWhenStale() {
        SimulatedP1Port port = new SimulatedP1Port(Setting.DSMR4, true);
        try (P1Source source = P1Source.start(port, FAST, clock)) {
            assertThat(source.measure(clock.instant(), 0, null)).as("nothing before the first telegram").isNull();
            String good = P1TelegramTest.signed(P1TelegramTest.BODY);
            port.send("\u0000\u00ff garbage".getBytes(StandardCharsets.ISO_8859_1));
            port.send(good.replace("01.234*kW", "09.999*kW").getBytes(StandardCharsets.ISO_8859_1));
            port.send(P1TelegramTest.signed(P1TelegramTest.BODY.replace("004512.345", "004512.350")).getBytes(StandardCharsets.ISO_8859_1));
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("telegrams.valid") == 1);
            assertThat(source.counters().get("telegrams.rejected.crc")).as("the changed power no longer matches its CRC").isEqualTo(1);
            EnergySource.Measurement m = source.measure(clock.instant(), 0, null);
            assertThat(m.energyKwh()).isEqualTo(7722.45);
            assertThat(m.powerW()).isEqualTo(1234.0);
            assertThat(m.voltageV()).isEqualTo(231.4);
            clock.advance(P1Source.STALE.plusSeconds(1));
            assertThat(source.measure(clock.instant(), 0, null)).as("the meter went quiet").isNull();
        }
    }

    static List<P1Corpus> corpus() {
        return P1Corpus.NAMES.stream().map(P1Corpus::load).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachCorpusCase_isCountedUnderItsKind_andNothingElseIs(P1Corpus c) {
        SimulatedP1Port port = new SimulatedP1Port(Setting.DSMR4, true);
        try (P1Source source = P1Source.start(port, FAST.withSetting(115200, SerialFormat.F8N1), clock)) {
            port.send(c.bytes());
            // A truncated telegram is known to be one when the next begins; the others are followed by it as well.
            byte[] next = P1Corpus.load("dsmr5").bytes();
            port.send(next);
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("bytes.read") == c.bytes().length + next.length);
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("telegrams.valid") >= 1);
            Map<String, Long> counters = source.counters();
            long validExpected = c.source().equals("valid") ? 2 : 1;
            assertThat(counters.get("telegrams.valid")).isEqualTo(validExpected);
            for (P1Rejection r : P1Rejection.values()) {
                assertThat(counters.get(r.counter())).as(r.counter()).isEqualTo(c.source().equals(r.name().toLowerCase(java.util.Locale.ROOT)) ? 1 : 0);
            }
        }
    }

    @Test
    void aStreamThatFailsUnexpectedly_isALostPort_andTheReaderCarriesOn() {
        AtomicInteger opens = new AtomicInteger();
        byte[] telegram = P1Corpus.load("dsmr5").bytes();
        P1Port flaky = new P1Port() {
            @Override
            public InputStream open(Setting setting) {
                int n = opens.incrementAndGet();
                return new InputStream() {
                    int pos;

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (pos < telegram.length) {
                            int k = Math.min(len, telegram.length - pos);
                            System.arraycopy(telegram, pos, b, off, k);
                            pos += k;
                            return k;
                        }
                        if (n == 1) {
                            throw new IllegalStateException("driver bug");
                        }
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        throw new java.io.InterruptedIOException("quiet");
                    }
                };
            }

            @Override
            public String name() {
                return "flaky";
            }
        };
        try (P1Source source = P1Source.start(flaky, FAST.withSetting(115200, SerialFormat.F8N1), clock)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> source.counters().get("telegrams.valid") == 2);
            assertThat(source.counters()).containsEntry("port.lost", 1L).containsEntry("port.reopened", 1L);
            assertThat(opens).hasValue(2);
        }
    }

    @Test
    void backoff_doublesFromTheFirstWait_upToItsCap() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
        assertThat(List.of(b.next(0), b.next(1), b.next(2), b.next(3), b.next(4), b.next(5), b.next(60)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16),
                        Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
