package dev.ims.portal.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.security.Credential;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the monitor makes of $SYS messages; no broker (it is never started here). */
class BrokerMonitorTest {

    private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final BrokerMonitor monitor = new BrokerMonitor("tcp://127.0.0.1:1", new Credential("ims-monitor", "x"), null, clock);

    @AfterEach
    void close() {
        monitor.close();
    }

    private void say(String topic, String payload, Instant at) {
        monitor.accept(topic, payload.getBytes(StandardCharsets.UTF_8), at);
    }

    @Test
    void mosquittosFigures_areReadIntoTheirFields() {
        say("$SYS/broker/clients/connected", "7", T0);
        say("$SYS/broker/publish/messages/received", "1200", T0);
        say("$SYS/broker/publish/messages/sent", "2400", T0);
        say("$SYS/broker/publish/messages/dropped", "3", T0);
        say("$SYS/broker/store/messages/count", "42", T0);
        say("$SYS/broker/retained messages/count", "5", T0);
        say("$SYS/broker/subscriptions/count", "11", T0);
        say("$SYS/broker/uptime", "3600 seconds", T0);
        say("$SYS/broker/version", "mosquitto version 2.0.11", T0);
        say("$SYS/broker/bytes/received", "99999", T0); // not a figure of ours: ignored
        BrokerFigures f = monitor.figures();
        assertThat(f.clientsConnected()).isEqualTo(7);
        assertThat(f.messagesReceived()).isEqualTo(1200);
        assertThat(f.messagesSent()).isEqualTo(2400);
        assertThat(f.messagesDropped()).isEqualTo(3);
        assertThat(f.messagesStored()).isEqualTo(42);
        assertThat(f.retainedMessages()).isEqualTo(5);
        assertThat(f.subscriptions()).isEqualTo(11);
        assertThat(f.uptimeSeconds()).isEqualTo(3600);
        assertThat(f.version()).isEqualTo("mosquitto version 2.0.11");
        assertThat(f.updatedAt()).isEqualTo(T0);
        assertThat(monitor.malformed()).isZero();
    }

    @Test
    void rates_comeFromTwoTotals_fallBackToTheOneMinuteLoad_andAreZeroWhenTheTotalStopsChanging() {
        say("$SYS/broker/load/publish/received/1min", "600", T0);
        say("$SYS/broker/publish/messages/received", "1000", T0);
        assertThat(monitor.figures().receivedPerSecond()).isEqualTo(10.0); // 600 a minute, no second total yet
        say("$SYS/broker/publish/messages/received", "1500", T0.plusSeconds(10));
        clock.set(T0.plusSeconds(10));
        assertThat(monitor.figures().receivedPerSecond()).isEqualTo(50.0);
        // Mosquitto publishes a total only when it changes: none for long means none received.
        clock.set(T0.plusSeconds(60));
        assertThat(monitor.figures().receivedPerSecond()).isEqualTo(0.0);
        // The broker restarted: its total went down, the rate is unknown until the next total.
        say("$SYS/broker/publish/messages/received", "20", T0.plusSeconds(61));
        clock.set(T0.plusSeconds(61));
        assertThat(monitor.figures().receivedPerSecond()).isEqualTo(10.0); // the load again
        say("$SYS/broker/publish/messages/received", "40", T0.plusSeconds(71));
        clock.set(T0.plusSeconds(71));
        assertThat(monitor.figures().receivedPerSecond()).isEqualTo(2.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"$SYS/broker/clients/connected|many", "$SYS/broker/clients/connected|-1",
            "$SYS/broker/uptime|forever seconds", "$SYS/broker/publish/messages/dropped|NaN", "$SYS/broker/subscriptions/count|''"})
    void malformedFigures_areCountedAndIgnored_keepingTheLastGoodValue(String topic, String payload) {
        say("$SYS/broker/clients/connected", "4", T0);
        say("$SYS/broker/uptime", "10 seconds", T0);
        say(topic, payload, T0.plusSeconds(1));
        assertThat(monitor.malformed()).isEqualTo(1);
        assertThat(monitor.figures().clientsConnected()).isEqualTo(4);
        assertThat(monitor.figures().uptimeSeconds()).isEqualTo(10);
    }

    @Test
    void aMalformedUrl_isAConfigurationError() {
        assertThatThrownBy(() -> new BrokerMonitor("nonsense", new Credential("ims-monitor", "x"), null, clock))
                .isInstanceOf(dev.ims.model.config.ConfigException.class).hasMessageContaining("nonsense");
    }

    @Test
    void notStarted_isNotConnected_andKnowsNothing() {
        assertThat(monitor.connected()).isFalse();
        assertThat(monitor.figures()).isEqualTo(BrokerFigures.NONE);
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant at) {
            now = at;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
