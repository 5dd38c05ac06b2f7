package dev.ims.ingest;

import dev.ims.model.command.CommandAck;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.reading.ReadingLimits;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.status.StatusMessage;
import dev.ims.model.topic.TopicAddress;
import dev.ims.model.topic.TopicKind;
import dev.ims.model.topic.Topics;
import java.time.Instant;
import java.util.Optional;
import org.bson.Document;

/**
 * Turns one received message (topic and payload) into what the ingest writes for it: a reading, a status, a command
 * acknowledgement, or a rejection document with its reason. Pure (no broker, no database, no counters); never throws
 * for bad input: a decoder bug becomes a {@code PROCESSING_FAILED} rejection, so it costs neither the message nor the
 * MQTT client's thread. Thread-safe.
 */
final class InboundDecoder {

    /** What a message decodes to. */
    sealed interface Decoded permits ReadingIn, StatusIn, AckIn, Rejected {
        /**
         * Whether the message counts as received: readings and whatever is rejected, once (received = stored +
         * duplicates + rejected). Valid status messages and acknowledgements are not readings and are not counted.
         */
        default boolean counted() {
            return !(this instanceof StatusIn) && !(this instanceof AckIn);
        }
    }

    record ReadingIn(Reading reading) implements Decoded {}

    record StatusIn(StatusMessage status) implements Decoded {}

    record AckIn(String meterId, CommandAck ack) implements Decoded {}

    /** A document for the {@code rejected} collection ({@link Documents#rejected}). */
    record Rejected(Document document) implements Decoded {}

    private final Topics topics;
    private final ReadingCodec codec = new ReadingCodec();
    private final ReadingLimits wireLimits = codec.limits();

    InboundDecoder(Topics topics) {
        this.topics = topics;
    }

    /** {@code topic}'s {@code payload}, received at {@code now} (the reference of the timestamp checks). */
    Decoded decode(String topic, byte[] payload, Instant now) {
        Optional<TopicAddress> address = topics.parse(topic);
        TopicKind kind = address.map(TopicAddress::kind).orElse(null);
        try {
            if (kind == TopicKind.READING || kind == TopicKind.BACKLOG) {
                return new ReadingIn(codec.decode(address.get().meterId(), payload));
            } else if (kind == TopicKind.STATUS) {
                StatusMessage status = StatusMessage.decode(address.get().meterId(), payload);
                wireLimits.checkTimestamp("ts", status.ts(), now);
                if (status.source() != null) {
                    wireLimits.checkTimestamp("source.at", status.source().at(), now);
                    if (status.source().lastData() != null) {
                        wireLimits.checkTimestamp("source.lastData", status.source().lastData(), now);
                    }
                }
                return new StatusIn(status);
            } else if (kind == TopicKind.COMMAND_ACK) {
                CommandAck ack = CommandAck.decode(payload);
                wireLimits.checkTimestamp("ts", ack.ts(), now);
                return new AckIn(address.get().meterId(), ack);
            } else {
                throw new InvalidPayloadException(RejectReason.INVALID_TOPIC, "not a reading, backlog, status or acknowledgement topic: "
                        + topic);
            }
        } catch (InvalidPayloadException e) {
            return new Rejected(Documents.rejected(topic, address.map(TopicAddress::meterId).orElse(null), payload, e.reason(),
                    e.getMessage(), now));
        } catch (RuntimeException e) {
            // A decoder bug must not cost the message or the client's thread: quarantined like a failed write.
            return new Rejected(Documents.rejected(topic, address.map(TopicAddress::meterId).orElse(null), payload,
                    RejectReason.PROCESSING_FAILED, DatabaseErrors.describe(e), now));
        }
    }
}
