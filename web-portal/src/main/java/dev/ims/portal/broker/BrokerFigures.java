package dev.ims.portal.broker;

import java.time.Instant;
import java.util.Map;

/**
 * The broker's figures as its {@code $SYS} topics last gave them; a figure the broker has not published (yet) is null.
 *
 * @param updatedAt when the last {@code $SYS} message arrived, or null: none yet
 * @param receivedPerSecond PUBLISH received per second between the broker's last two totals (after a broker restart,
 *     or before two totals: its one-minute load average divided by 60, where it publishes one)
 * @param sentPerSecond the same for PUBLISH sent
 * @param messagesReceived total PUBLISH received since the broker started
 * @param messagesDropped total PUBLISH the broker dropped since it started
 * @param messagesStored messages in the broker's store (retained and queued)
 * @param uptimeSeconds seconds since the broker started
 * @param version the broker's own name for its version
 */
public record BrokerFigures(Instant updatedAt, Long clientsConnected, Double receivedPerSecond, Double sentPerSecond, Long messagesReceived,
        Long messagesSent, Long messagesDropped, Long messagesStored, Long retainedMessages, Long subscriptions, Long uptimeSeconds,
        String version) {

    /** Nothing known: no monitor, or no figure yet. */
    public static final BrokerFigures NONE = new BrokerFigures(null, null, null, null, null, null, null, null, null, null, null, null);

    static BrokerFigures of(Instant updatedAt, Map<SysFigure, Double> values, Double receivedPerSecond, Double sentPerSecond,
            String version) {
        Double loadIn = values.get(SysFigure.LOAD_RECEIVED_PER_MINUTE);
        Double loadOut = values.get(SysFigure.LOAD_SENT_PER_MINUTE);
        return new BrokerFigures(updatedAt, count(values, SysFigure.CLIENTS_CONNECTED),
                receivedPerSecond != null ? receivedPerSecond : loadIn == null ? null : round(loadIn / 60),
                sentPerSecond != null ? sentPerSecond : loadOut == null ? null : round(loadOut / 60),
                count(values, SysFigure.MESSAGES_RECEIVED), count(values, SysFigure.MESSAGES_SENT), count(values, SysFigure.MESSAGES_DROPPED),
                count(values, SysFigure.MESSAGES_STORED), count(values, SysFigure.RETAINED), count(values, SysFigure.SUBSCRIPTIONS),
                count(values, SysFigure.UPTIME_SECONDS), version);
    }

    private static Long count(Map<SysFigure, Double> values, SysFigure f) {
        Double v = values.get(f);
        return v == null ? null : Math.round(v);
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
