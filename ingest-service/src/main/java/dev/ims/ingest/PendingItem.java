package dev.ims.ingest;

import dev.ims.model.command.CommandAck;
import dev.ims.model.reading.Reading;
import dev.ims.model.status.StatusMessage;
import org.bson.Document;

/**
 * One received message with what is to be written for it (exactly one of {@code reading}, {@code status},
 * {@code rejected}, {@code ack}); or, with {@code accepted} set, a quarantined reading staff accepted (no message:
 * {@code publish} is null).
 */
record PendingItem(MqttSubscriber.Inbound publish, Reading reading, StatusMessage status, Document rejected, Ack ack, Object accepted) {

    /** A meter's acknowledgement of a command. */
    record Ack(String meterId, CommandAck ack) {}

    /** The item of a received message, as the decoder saw it. */
    static PendingItem of(MqttSubscriber.Inbound publish, InboundDecoder.Decoded decoded) {
        if (decoded instanceof InboundDecoder.ReadingIn r) {
            return new PendingItem(publish, r.reading(), null, null, null, null);
        } else if (decoded instanceof InboundDecoder.StatusIn s) {
            return new PendingItem(publish, null, s.status(), null, null, null);
        } else if (decoded instanceof InboundDecoder.AckIn a) {
            return new PendingItem(publish, null, null, null, new Ack(a.meterId(), a.ack()), null);
        }
        return new PendingItem(publish, null, null, ((InboundDecoder.Rejected) decoded).document(), null, null);
    }

    /** A quarantined reading staff accepted ({@code id}: its {@code rejected} document's). */
    static PendingItem accepted(Reading reading, Object id) {
        return new PendingItem(null, reading, null, null, null, id);
    }

    void acknowledge() {
        if (publish != null) {
            publish.acknowledge().run();
        }
    }

    String topic() {
        return publish != null ? publish.topic() : "";
    }

    byte[] payload() {
        return publish != null ? publish.payload() : new byte[0];
    }
}
