package dev.ims.model.topic;

import dev.ims.model.meter.MeterIds;
import java.util.Optional;

/**
 * Topic names under one prefix ({@value #DEFAULT_PREFIX} unless configured):
 * {@code {prefix}/{meterId}/reading}, {@code .../backlog}, {@code .../status}, {@code .../command}, {@code .../command/ack}.
 */
public final class Topics {

    public static final String DEFAULT_PREFIX = "meters";
    public static final String DEFAULT_SHARE_GROUP = "ims-ingest";

    private final String prefix;

    public Topics(String prefix) {
        if (prefix == null
                || prefix.isEmpty()
                || prefix.startsWith("$")
                || prefix.startsWith("/")
                || prefix.endsWith("/")
                || prefix.contains("+")
                || prefix.contains("#")
                || prefix.contains("//")) {
            throw new IllegalArgumentException("topic prefix '" + prefix
                    + "' must be non-empty, without wildcards, without a leading '$' or '/' and without a trailing '/'");
        }
        this.prefix = prefix;
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    public String of(String meterId, TopicKind kind) {
        return prefix + "/" + meterId + "/" + kind.suffix();
    }

    public String reading(String meterId) {
        return of(meterId, TopicKind.READING);
    }

    /** Where a meter publishes readings that are not live (history, outbox drains). */
    public String backlog(String meterId) {
        return of(meterId, TopicKind.BACKLOG);
    }

    public String status(String meterId) {
        return of(meterId, TopicKind.STATUS);
    }

    public String command(String meterId) {
        return of(meterId, TopicKind.COMMAND);
    }

    public String commandAck(String meterId) {
        return of(meterId, TopicKind.COMMAND_ACK);
    }

    /** Filter matching every meter's topic of one kind, e.g. {@code meters/+/reading}. */
    public String allOf(TopicKind kind) {
        return of("+", kind);
    }

    /** MQTT 5 shared subscription, so that several ingest instances split the messages. */
    public String shared(String group, TopicKind kind) {
        if (!group.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("share group '" + group + "' must match [A-Za-z0-9_-]{1,64}");
        }
        return "$share/" + group + "/" + allOf(kind);
    }

    /** The meter and kind of a received topic; empty when it is not one of this prefix's meter topics. */
    public Optional<TopicAddress> parse(String topic) {
        if (topic == null || !topic.startsWith(prefix + "/")) {
            return Optional.empty();
        }
        String rest = topic.substring(prefix.length() + 1);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String meterId = rest.substring(0, slash);
        String suffix = rest.substring(slash + 1);
        if (!MeterIds.isValid(meterId)) {
            return Optional.empty();
        }
        for (TopicKind kind : TopicKind.values()) {
            if (kind.suffix().equals(suffix)) {
                return Optional.of(new TopicAddress(meterId, kind));
            }
        }
        return Optional.empty();
    }
}
