package dev.ims.portal.broker;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The figures read from a broker's {@code $SYS} tree, with the Mosquitto 2 topic of each and how its payload is
 * written. The embedded HiveMQ publishes the same topics (its {@code SysTopicsPublisher}); other topics are ignored.
 */
enum SysFigure {
    CLIENTS_CONNECTED("$SYS/broker/clients/connected"),
    /** Total PUBLISH packets received since the broker started. */
    MESSAGES_RECEIVED("$SYS/broker/publish/messages/received"),
    MESSAGES_SENT("$SYS/broker/publish/messages/sent"),
    /** Total PUBLISH messages the broker dropped (queues full, inflight limits, offline client queues). */
    MESSAGES_DROPPED("$SYS/broker/publish/messages/dropped"),
    /** Messages held in the broker's store: retained and queued for clients. */
    MESSAGES_STORED("$SYS/broker/store/messages/count"),
    RETAINED("$SYS/broker/retained messages/count"),
    SUBSCRIPTIONS("$SYS/broker/subscriptions/count"),
    /** {@code "<n> seconds"}. */
    UPTIME_SECONDS("$SYS/broker/uptime"),
    /** Mosquitto's moving average of PUBLISH received per minute; a rate before two samples of the totals exist. */
    LOAD_RECEIVED_PER_MINUTE("$SYS/broker/load/publish/received/1min"),
    LOAD_SENT_PER_MINUTE("$SYS/broker/load/publish/sent/1min");

    /** The version text ({@code "mosquitto version 2.0.11"}, {@code "HiveMQ CE 2025.5"}): text, not a figure. */
    static final String VERSION_TOPIC = "$SYS/broker/version";

    private static final Map<String, SysFigure> BY_TOPIC = Stream.of(values()).collect(Collectors.toUnmodifiableMap(f -> f.topic,
            Function.identity()));

    final String topic;

    SysFigure(String topic) {
        this.topic = topic;
    }

    static Optional<SysFigure> of(String topic) {
        return Optional.ofNullable(BY_TOPIC.get(topic));
    }

    /**
     * The payload's value: a decimal number, for the uptime followed by {@code " seconds"}.
     *
     * @throws IllegalArgumentException when it is not that (never a negative number, NaN or infinity)
     */
    double parse(String payload) {
        String text = payload == null ? "" : payload.strip();
        if (this == UPTIME_SECONDS && text.endsWith(" seconds")) {
            text = text.substring(0, text.length() - " seconds".length()).strip();
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(topic + ": not a number: '" + abbreviate(payload) + "'");
        }
        if (!Double.isFinite(v) || v < 0) {
            throw new IllegalArgumentException(topic + ": not a count: '" + abbreviate(payload) + "'");
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
