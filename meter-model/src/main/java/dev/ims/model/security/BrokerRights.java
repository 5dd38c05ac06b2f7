package dev.ims.model.security;

import dev.ims.model.meter.MeterIds;
import dev.ims.model.topic.TopicAddress;
import dev.ims.model.topic.TopicKind;
import dev.ims.model.topic.Topics;
import java.util.List;
import java.util.Optional;

/**
 * The one table of who may do what on the broker. Every broker applies it: the embedded HiveMQ checks each
 * CONNECT, PUBLISH (the will included) and SUBSCRIBE against it; for Mosquitto the same rights are written
 * as dynamic-security roles ({@link #grants}).
 *
 * <table>
 *   <caption>Rights by role (prefix {@code meters})</caption>
 *   <tr><th>Role</th><th>Publish</th><th>Subscribe</th></tr>
 *   <tr><td>METER {@code M}</td><td>{@code meters/M/reading}, {@code meters/M/backlog}, {@code meters/M/status},
 *       {@code meters/M/command/ack}</td><td>{@code meters/M/command}</td></tr>
 *   <tr><td>INGEST</td><td>nothing</td><td>{@code meters/+/reading} and {@code meters/+/backlog} (each also as
 *       {@code $share/<group>/...}), {@code meters/+/status}, {@code meters/+/command/ack}</td></tr>
 *   <tr><td>PORTAL</td><td>{@code meters/<any meter>/command}</td><td>{@code meters/+/status}</td></tr>
 *   <tr><td>MONITOR</td><td>nothing</td><td>{@code $SYS/#} (the broker's own figures)</td></tr>
 * </table>
 * Subscriptions are granted as these exact filters only: no wider wildcard ({@code #}, {@code meters/#}), no
 * other share group. Everyone's client ID must equal their identity's name. Immutable and thread-safe.
 */
public final class BrokerRights {

    /** The broker's own figures (Mosquitto's {@code $SYS} tree; the embedded HiveMQ publishes the same topics). */
    public static final String SYS_FILTER = "$SYS/#";

    private final Topics topics;
    private final String ingestGroup;

    /** @param ingestGroup the only share group, joined by ingest identities only */
    public BrokerRights(Topics topics, String ingestGroup) {
        this.topics = topics;
        this.ingestGroup = ingestGroup;
    }

    public Topics topics() {
        return topics;
    }

    public String ingestGroup() {
        return ingestGroup;
    }

    /** Whether {@code who} may connect with {@code clientId}: only with its own name. */
    public boolean mayUseClientId(Identity who, String clientId) {
        return who.name().equals(clientId);
    }

    /** Whether {@code who} may publish to {@code topic} (a topic name; wildcards are never valid in one). */
    public boolean mayPublish(Identity who, String topic) {
        if (topic == null || topic.contains("+") || topic.contains("#")) {
            return false;
        }
        Optional<TopicAddress> address = topics.parse(topic).filter(a -> topic.equals(topics.of(a.meterId(), a.kind())));
        if (address.isEmpty() || !MeterIds.isValid(address.get().meterId())) {
            return false;
        }
        TopicAddress a = address.get();
        return switch (who.role()) {
            case METER -> a.meterId().equals(who.name()) && a.kind() != TopicKind.COMMAND;
            case PORTAL -> a.kind() == TopicKind.COMMAND;
            case INGEST, MONITOR -> false;
        };
    }

    /** Whether {@code who} may subscribe to {@code filter}, exactly as written in the SUBSCRIBE ({@code $share/...} included). */
    public boolean maySubscribe(Identity who, String filter) {
        if (filter == null) {
            return false;
        }
        return switch (who.role()) {
            case METER -> filter.equals(topics.command(who.name()));
            case PORTAL -> filter.equals(topics.allOf(TopicKind.STATUS));
            case MONITOR -> filter.equals(SYS_FILTER);
            case INGEST -> filter.equals(topics.allOf(TopicKind.READING))
                    || filter.equals(topics.shared(ingestGroup, TopicKind.READING))
                    || filter.equals(topics.allOf(TopicKind.BACKLOG))
                    || filter.equals(topics.shared(ingestGroup, TopicKind.BACKLOG))
                    || filter.equals(topics.allOf(TopicKind.STATUS))
                    || filter.equals(topics.allOf(TopicKind.COMMAND_ACK));
        };
    }

    /** One right, as a broker's access list states it. */
    public record Grant(Access access, String topicFilter) {}

    /** What a grant allows: publishing to topics matching the filter, or subscribing with exactly that filter. */
    public enum Access { PUBLISH, SUBSCRIBE }

    /**
     * {@code who}'s rights as filters, for a broker that keeps access lists (Mosquitto's dynamic security).
     * The portal's publish right is the filter {@code meters/+/command}. The ingest's share-group subscription
     * is listed as a grant of its own, {@code $share/<group>/meters/+/reading}: Mosquitto 2.0 checks a shared
     * subscription's ACL on the whole filter, {@code $share/<group>/} included (measured on 2.0.11: with only
     * {@code meters/+/reading} granted, the shared SUBSCRIBE is refused; with the shared filter granted literally,
     * another group is refused), as the embedded broker does.
     */
    public List<Grant> grants(Identity who) {
        return switch (who.role()) {
            case METER -> List.of(
                    new Grant(Access.PUBLISH, topics.reading(who.name())),
                    new Grant(Access.PUBLISH, topics.backlog(who.name())),
                    new Grant(Access.PUBLISH, topics.status(who.name())),
                    new Grant(Access.PUBLISH, topics.commandAck(who.name())),
                    new Grant(Access.SUBSCRIBE, topics.command(who.name())));
            case PORTAL -> List.of(
                    new Grant(Access.PUBLISH, topics.allOf(TopicKind.COMMAND)),
                    new Grant(Access.SUBSCRIBE, topics.allOf(TopicKind.STATUS)));
            case INGEST -> List.of(
                    new Grant(Access.SUBSCRIBE, topics.allOf(TopicKind.READING)),
                    new Grant(Access.SUBSCRIBE, topics.shared(ingestGroup, TopicKind.READING)),
                    new Grant(Access.SUBSCRIBE, topics.allOf(TopicKind.BACKLOG)),
                    new Grant(Access.SUBSCRIBE, topics.shared(ingestGroup, TopicKind.BACKLOG)),
                    new Grant(Access.SUBSCRIBE, topics.allOf(TopicKind.STATUS)),
                    new Grant(Access.SUBSCRIBE, topics.allOf(TopicKind.COMMAND_ACK)));
            case MONITOR -> List.of(new Grant(Access.SUBSCRIBE, SYS_FILTER));
        };
    }
}
