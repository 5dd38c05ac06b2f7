package dev.ims.embedded.broker;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metered;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mosquitto's {@code $SYS/broker/...} figures for HiveMQ CE, which has no {@code $SYS} tree of its own: every
 * {@code interval} the values of HiveMQ's metric registry ({@link Services#metricRegistry()}) are published,
 * retained, QoS 0, under the topics and in the text format Mosquitto 2 uses, so one reader serves both brokers.
 *
 * <table>
 *   <caption>Topics and the HiveMQ metric behind each</caption>
 *   <tr><th>Topic</th><th>HiveMQ CE metric</th></tr>
 *   <tr><td>{@code $SYS/broker/clients/connected}</td><td>{@code com.hivemq.networking.connections.current}</td></tr>
 *   <tr><td>{@code $SYS/broker/publish/messages/received}</td><td>{@code com.hivemq.messages.incoming.publish.count}</td></tr>
 *   <tr><td>{@code $SYS/broker/publish/messages/sent}</td><td>{@code com.hivemq.messages.outgoing.publish.count}</td></tr>
 *   <tr><td>{@code $SYS/broker/publish/messages/dropped}</td><td>{@code com.hivemq.messages.dropped.count}</td></tr>
 *   <tr><td>{@code $SYS/broker/subscriptions/count}</td><td>{@code com.hivemq.subscriptions.overall.current}</td></tr>
 *   <tr><td>{@code $SYS/broker/retained messages/count}</td><td>{@code com.hivemq.messages.retained.current}</td></tr>
 *   <tr><td>{@code $SYS/broker/uptime}</td><td>since this extension started, {@code "<n> seconds"}</td></tr>
 *   <tr><td>{@code $SYS/broker/version}</td><td>{@code "HiveMQ CE <version>"}</td></tr>
 * </table>
 * A metric HiveMQ has not registered (yet) is skipped. The publications themselves are not client messages and
 * do not count in HiveMQ's incoming or outgoing figures. Runs on the extension's managed executor.
 */
final class SysTopicsPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(SysTopicsPublisher.class);

    /** Mosquitto's {@code sys_interval} default. */
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    static final Map<String, String> TOPICS = topics();

    private final Duration interval;
    private final String version;
    private long startedNanos;
    private ScheduledFuture<?> task;
    private volatile boolean failedOnce;

    SysTopicsPublisher(Duration interval, String version) {
        this.interval = interval;
        this.version = version;
    }

    private static Map<String, String> topics() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("$SYS/broker/clients/connected", "com.hivemq.networking.connections.current");
        t.put("$SYS/broker/publish/messages/received", "com.hivemq.messages.incoming.publish.count");
        t.put("$SYS/broker/publish/messages/sent", "com.hivemq.messages.outgoing.publish.count");
        t.put("$SYS/broker/publish/messages/dropped", "com.hivemq.messages.dropped.count");
        t.put("$SYS/broker/subscriptions/count", "com.hivemq.subscriptions.overall.current");
        t.put("$SYS/broker/retained messages/count", "com.hivemq.messages.retained.current");
        return Map.copyOf(t);
    }

    /** Publishes now and every interval until {@link #stop()}. Call from the extension's start. */
    void start() {
        startedNanos = System.nanoTime();
        task = Services.extensionExecutorService().scheduleAtFixedRate(this::publishSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop() {
        if (task != null) {
            task.cancel(false);
        }
    }

    private void publishSafely() {
        try {
            publishAll(Services.metricRegistry());
        } catch (RuntimeException e) {
            // Never kill the schedule: a broker shutting down refuses publishes for a moment.
            if (!failedOnce) {
                failedOnce = true;
                LOG.warn("Embedded broker's $SYS figures not published: {}", e.toString());
            }
        }
    }

    private void publishAll(MetricRegistry registry) {
        Map<String, Metric> metrics = registry.getMetrics();
        for (Map.Entry<String, String> e : TOPICS.entrySet()) {
            OptionalLong value = valueOf(metrics.get(e.getValue()));
            if (value.isPresent()) {
                publish(e.getKey(), Long.toString(value.getAsLong()));
            }
        }
        publish("$SYS/broker/uptime", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos) + " seconds");
        publish("$SYS/broker/version", version);
    }

    /** A counter's, meter's or numeric gauge's value; empty for anything else or nothing. */
    static OptionalLong valueOf(Metric m) {
        if (m instanceof Counter c) {
            return OptionalLong.of(c.getCount());
        }
        if (m instanceof Metered meter) {
            return OptionalLong.of(meter.getCount());
        }
        if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
            return OptionalLong.of(n.longValue());
        }
        return OptionalLong.empty();
    }

    private static void publish(String topic, String text) {
        Publish p = Builders.publish().topic(topic).payload(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)))
                .qos(Qos.AT_MOST_ONCE).retain(true).build();
        Services.publishService().publish(p);
    }
}
