package dev.ims.ingest;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import dev.ims.store.ReadingDocs;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * Turns rejections, quarantined readings and status details into documents (readings and their rollups: {@link
 * dev.ims.store.BatchWrites}). Pure; thread-safe.
 */
final class Documents {

    private Documents() {}

    /** A status message's circuit descriptions for the meter document's {@code circuits} (the time first: see the $max). */
    static Document circuitInfos(java.time.Instant at, List<CircuitInfo> infos) {
        List<Document> list = new ArrayList<>(infos.size());
        for (CircuitInfo c : infos) {
            list.add(new Document(CIRCUIT_ID, c.id()).append(NAME, c.name()).append(KIND, c.kind().name())
                    .append(CRITICAL, c.critical()).append(SWITCHABLE, c.switchable()));
        }
        return new Document(AT, Date.from(at)).append(LIST, list);
    }

    /**
     * @param meterId the topic's meter ID when the topic has one (the source of the payload, by which
     *     staff find it and by which storage is rate-limited), else null
     */
    static Document rejected(String topic, String meterId, byte[] payload, RejectReason reason, String detail, Instant receivedAt) {
        Document d = new Document(TOPIC, topic.length() > 512 ? topic.substring(0, 512) : topic);
        if (meterId != null) {
            d.append(METER_ID, meterId);
        }
        return d.append(PAYLOAD, boundedText(payload, MAX_STORED_PAYLOAD_BYTES))
                .append(PAYLOAD_BYTES, payload.length)
                .append(REASON, reason.name())
                .append(DETAIL, detail)
                .append(RECEIVED_AT, Date.from(receivedAt));
    }

    /** A well-formed reading that failed a check against its meter's history: kept for staff to decide on. */
    static Document quarantined(String topic, byte[] payload, Reading r, RejectReason reason, String detail, Instant receivedAt) {
        Document reading = ReadingDocs.reading(r, receivedAt);
        reading.remove(RECEIVED_AT);
        return rejected(topic, r.meterId(), payload, reason, detail, receivedAt)
                .append(QUARANTINE, QUARANTINE_OPEN)
                .append(READING, reading);
    }

    /** The payload as text, cut to {@code maxBytes}; bytes that are not UTF-8 become U+FFFD. */
    static String boundedText(byte[] payload, int maxBytes) {
        int n = Math.min(payload.length, maxBytes);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            String text = decoder.decode(ByteBuffer.wrap(payload, 0, n)).toString();
            return n < payload.length ? text + "…" : text;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("REPLACE never throws", e);
        }
    }

    /** A bridge's report on its measurement source, for the meter document's {@code source} (the time first: see the $max). */
    static Document source(dev.ims.model.status.SourceHealth h) {
        Document counters = new Document();
        h.counters().forEach(counters::append);
        return new Document(AT, Date.from(h.at())).append(STATE, h.state().name())
                .append(LAST_DATA, h.lastData() == null ? null : Date.from(h.lastData())).append(COUNTERS, counters);
    }
}
