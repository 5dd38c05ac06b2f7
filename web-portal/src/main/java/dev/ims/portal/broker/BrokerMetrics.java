package dev.ims.portal.broker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Function;

/**
 * The broker's figures as Prometheus gauges on the portal's {@code /metrics} ({@code ims_broker_*}): read from the
 * monitor's last values at scrape time (never waiting); NaN while a figure is unknown. The broker's totals are gauges,
 * not counters: they restart from 0 with the broker.
 */
public final class BrokerMetrics {

    private BrokerMetrics() {}

    public static void bind(BrokerMonitor monitor, MeterRegistry registry) {
        gauge(registry, monitor, "ims.broker.clients.connected", "clients connected to the broker", f -> f.clientsConnected());
        gauge(registry, monitor, "ims.broker.messages.received.rate", "PUBLISH received by the broker per second", BrokerFigures::receivedPerSecond);
        gauge(registry, monitor, "ims.broker.messages.sent.rate", "PUBLISH sent by the broker per second", BrokerFigures::sentPerSecond);
        gauge(registry, monitor, "ims.broker.messages.received", "PUBLISH received since the broker started", f -> f.messagesReceived());
        gauge(registry, monitor, "ims.broker.messages.sent", "PUBLISH sent since the broker started", f -> f.messagesSent());
        gauge(registry, monitor, "ims.broker.messages.dropped", "PUBLISH dropped since the broker started", f -> f.messagesDropped());
        gauge(registry, monitor, "ims.broker.messages.stored", "messages in the broker's store (retained and queued)", f -> f.messagesStored());
        gauge(registry, monitor, "ims.broker.subscriptions", "subscriptions on the broker", f -> f.subscriptions());
        gauge(registry, monitor, "ims.broker.uptime.seconds", "seconds since the broker started", f -> f.uptimeSeconds());
        Gauge.builder("ims.broker.monitor.connected", monitor, m -> m.connected() ? 1 : 0)
                .description("1 while the broker monitor is connected to the broker and reading $SYS").register(registry);
        Gauge.builder("ims.broker.monitor.malformed", monitor, BrokerMonitor::malformed)
                .description("$SYS payloads ignored as malformed").register(registry);
    }

    private static void gauge(MeterRegistry registry, BrokerMonitor monitor, String name, String description,
            Function<BrokerFigures, ? extends Number> figure) {
        Gauge.builder(name, monitor, m -> {
            Number n = figure.apply(m.figures());
            return n == null ? Double.NaN : n.doubleValue();
        }).description(description).register(registry);
    }
}
