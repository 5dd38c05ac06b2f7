package dev.ims.portal.meter;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.portal.web.Responses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * A rejected payload as {@code GET /api/v1/rejected} publishes it: every published field is listed here (a field added
 * to the stored document stays unpublished until it is added here and to docs/openapi.yaml's {@code Rejected} schema).
 * {@code id} is the stored {@code _id} as hex, what the quarantine decisions take; fields the document lacks are left
 * out; dates are ISO-8601.
 */
final class RejectedView {

    /** Published fields after {@code id}, in this order. */
    static final List<String> FIELDS = List.of(TOPIC, METER_ID, PAYLOAD, PAYLOAD_BYTES, REASON, DETAIL, RECEIVED_AT, QUARANTINE,
            READING, DECISION);

    private RejectedView() {}

    static Map<String, Object> of(Document d) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (Responses.plainValue(d.get(ID)) instanceof String hex) {
            out.put("id", hex);
        }
        for (String field : FIELDS) {
            if (d.containsKey(field)) {
                out.put(field, Responses.plainValue(d.get(field)));
            }
        }
        return out;
    }
}
