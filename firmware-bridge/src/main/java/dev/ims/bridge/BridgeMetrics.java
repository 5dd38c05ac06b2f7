package dev.ims.bridge;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * The bridge's own figures in the Prometheus text format on {@code GET /metrics} ({@code --metrics-port}): whether
 * the source is silent and since when it last gave data, every counter of the source (one series per name:
 * {@code ims_bridge_source_events_total{name="telegrams.valid"}}), readings taken, registers refused, readings
 * waiting in the outbox, and with {@code --ha-mqtt-url} the states mirrored to and dropped for Home Assistant
 * ({@code ims_bridge_ha_mirrored_total}, {@code ims_bridge_ha_dropped_total}, {@code ims_bridge_ha_connected}). Counts only,
 * no readings; bound to this machine unless {@code --metrics-bind} says otherwise.
 */
final class BridgeMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EnergySource source;
    private final Set<String> known = new HashSet<>();
    private final HttpServer server;

    BridgeMetrics(String bindHost, int port, Bridge bridge, EnergySource source, SourceWatch watch) throws IOException {
        this.source = source;
        Gauge.builder("ims.bridge.source.silent", watch, w -> w.state() == dev.ims.model.status.SourceHealth.SourceState.SILENT ? 1 : 0)
                .description("1 while the meter gives no data (the status message reports the same)").register(registry);
        Gauge.builder("ims.bridge.source.last.data", source, s -> {
                    Instant t = s.lastData();
                    return t == null ? Double.NaN : t.toEpochMilli() / 1000.0;
                }).baseUnit("seconds").description("When the source last gave valid data (Unix time)").register(registry);
        FunctionCounter.builder("ims.bridge.readings", bridge, Bridge::readingsTaken).description("Readings taken and queued for the broker")
                .register(registry);
        FunctionCounter.builder("ims.bridge.registers.refused", bridge, b -> b.meter().refusedRegisters())
                .description("Measurements not published: the register went backwards or jumped").register(registry);
        Gauge.builder("ims.bridge.outbox.pending", bridge, Bridge::outboxPending).description("Readings on disk not yet acknowledged by the broker")
                .register(registry);
        dev.ims.bridge.homeassistant.HaMirror ha = bridge.homeAssistant();
        if (ha != null) {
            FunctionCounter.builder("ims.bridge.ha.mirrored", ha, dev.ims.bridge.homeassistant.HaMirror::mirrored)
                    .description("States the Home Assistant broker acknowledged").register(registry);
            FunctionCounter.builder("ims.bridge.ha.dropped", ha, dev.ims.bridge.homeassistant.HaMirror::dropped)
                    .description("States dropped, newest kept, while the Home Assistant broker was down or slow").register(registry);
            Gauge.builder("ims.bridge.ha.connected", ha, m -> m.connected() ? 1 : 0).description("1 while connected to the Home Assistant broker")
                    .register(registry);
        }
        server = HttpServer.create(new InetSocketAddress(bindHost, port), 0);
        server.createContext("/metrics", new dev.ims.client.metrics.PrometheusHandler(this::scrape));
        server.start();
    }

    /** The text format, with a series for every counter name the source has used so far. */
    synchronized String scrape() {
        for (String name : source.counters().keySet()) {
            if (known.add(name)) {
                FunctionCounter.builder("ims.bridge.source.events", source, s -> s.counters().getOrDefault(name, 0L))
                        .tag("name", name).description("The source's counters, by name (see the bridge's documentation)").register(registry);
            }
        }
        return registry.scrape();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
