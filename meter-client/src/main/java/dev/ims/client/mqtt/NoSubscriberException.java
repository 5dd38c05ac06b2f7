package dev.ims.client.mqtt;

import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;

/**
 * A QoS 1 publish the broker acknowledged with {@code 0x10 No matching subscribers}: it took the message and gave it to
 * nobody, so a reading published so is not delivered. In normal operation the ingest's persistent shared subscription
 * always matches (an offline ingest's session queues); this happens on a broker no ingest has subscribed to yet, and
 * on Mosquitto 2.0.11 after a restart until the ingest subscribes again.
 */
public final class NoSubscriberException extends RuntimeException {

    public NoSubscriberException(String topic) {
        super("the broker has no subscriber for " + topic + " (PUBACK 0x10): not delivered");
    }

    /** Whether {@code result} is a QoS 1 result whose PUBACK says nobody matched. */
    public static boolean unheard(Mqtt5PublishResult result) {
        return result instanceof Mqtt5PublishResult.Mqtt5Qos1Result q1
                && q1.getPubAck().getReasonCode() == Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS;
    }
}
