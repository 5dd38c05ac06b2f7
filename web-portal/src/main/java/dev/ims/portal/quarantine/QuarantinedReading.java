package dev.ims.portal.quarantine;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.portal.web.Responses;
import java.util.Date;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;

/**
 * A quarantined reading as the API and the meter page show it.
 *
 * @param id the {@code rejected} document's ObjectId as 24 hex digits: what accept and discard take
 * @param state {@code OPEN}, {@code ACCEPTING}, {@code ACCEPTED} or {@code DISCARDED}
 * @param reason why the ingest held it back ({@code SEQ_JUMP}, {@code IMPLAUSIBLE_CONSUMPTION}, …)
 * @param detail the ingest's explanation, or null
 * @param receivedAt when the ingest received it (ISO-8601), or null
 * @param reading the reading as it would be stored (dates as ISO-8601), or an empty map
 * @param decision {@code {action, by, reason, at}} once staff decided, else null
 */
public record QuarantinedReading(String id, String meterId, String state, String reason, String detail, String receivedAt,
        Map<String, Object> reading, Map<String, Object> decision) {

    static QuarantinedReading of(Document d) {
        Object id = d.get(ID);
        Date received = d.getDate(RECEIVED_AT);
        Document reading = d.get(READING, Document.class);
        Document decision = d.get(DECISION, Document.class);
        return new QuarantinedReading(id instanceof ObjectId o ? o.toHexString() : String.valueOf(id), d.getString(METER_ID),
                d.getString(QUARANTINE), d.getString(REASON), d.getString(DETAIL), received == null ? null : received.toInstant().toString(),
                reading == null ? Map.of() : Responses.plain(reading), decision == null ? null : Responses.plain(decision));
    }

    /** Whether staff may still decide on it. */
    public boolean open() {
        return QUARANTINE_OPEN.equals(state);
    }
}
