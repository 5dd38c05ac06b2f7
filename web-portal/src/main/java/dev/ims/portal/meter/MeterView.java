package dev.ims.portal.meter;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.FIRST_READING_TS;
import static dev.ims.store.StoreLayout.LAST_READING_TS;

import dev.ims.portal.store.MeterDocs;
import dev.ims.portal.web.Responses;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;

/**
 * A meter as {@code GET /api/v1/meters} and {@code GET /api/v1/meters/{id}} publish it (and the pages show it): every
 * published field is listed here, so a field the ingest or the portal adds to the meter document (an internal counter
 * such as {@code rev}, a verifier, an audit log) stays unpublished until it is added here and to docs/openapi.yaml's
 * {@code Meter} schema. A field the document lacks is left out of the view, as it always was; dates are ISO-8601.
 */
public final class MeterView {

    /** Top-level fields copied from the document as they are (sub-documents through {@link #SUB_FIELDS}), in this order. */
    static final List<String> COPIED = List.of(FIRST_SEEN, LAST_SEEN, FIRST_READING_TS, LAST_READING_TS, LAST_SEQ, LATEST, CIRCUITS,
            SOURCE, OWNER, DECOMMISSIONED);

    /** The newest reading ({@code latest}): the fields of a stored reading, as {@code GET …/readings} shows them. */
    static final List<String> READING_FIELDS = List.of(METER_ID, SEQ, TS, ENERGY_KWH, EXPORT_KWH, POWER_W, EXPORT_POWER_W, VOLTAGE_V,
            CURRENT_A, STATUS, FAULT, RELAY, RECEIVED_AT, CIRCUITS, EXTRA);

    /** The published fields of each sub-document; the others are dropped. */
    private static final Map<String, List<String>> SUB_FIELDS = Map.of(
            LATEST, READING_FIELDS,
            CIRCUITS, List.of(AT, LIST), // the newest circuit descriptions: {at, list: [{id, name, kind, critical, switchable}]}
            SOURCE, List.of(AT, STATE, LAST_DATA, COUNTERS),
            DECOMMISSIONED, List.of(AT, BY, REASON),
            DO_NOT_DISCONNECT, List.of(BY, AT, REASON));

    private MeterView() {}

    /**
     * As {@link #of(Document)}, with the "do not disconnect" flag ({@code by, at, reason}) for staff; its log is never
     * published here.
     */
    public static Map<String, Object> of(Document d, boolean staff) {
        Map<String, Object> out = of(d);
        if (staff && d.get(DO_NOT_DISCONNECT) instanceof Document flag) {
            out.put(DO_NOT_DISCONNECT, pick(flag, SUB_FIELDS.get(DO_NOT_DISCONNECT)));
        }
        return out;
    }

    /**
     * The view everyone may see: {@code meterId}, {@code state}, {@code stateSince} (when the newest status has a
     * state), the fields of {@link #COPIED} the document has, {@code fault} (the newest reading's, when there is one)
     * and {@code noDataSince} (while the bridge reports the meter silent).
     */
    public static Map<String, Object> of(Document d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("meterId", d.getString(ID));
        out.put("state", MeterDocs.connectionState(d));
        if (d.get(CONNECTION_LAST) instanceof Document last && last.get(STATE) != null) {
            out.put("stateSince", plain(last.get(TS)));
        }
        for (String field : COPIED) {
            if (d.containsKey(field)) {
                Object v = d.get(field);
                List<String> sub = SUB_FIELDS.get(field);
                out.put(field, sub != null && v instanceof Document doc ? pick(doc, sub) : plain(v));
            }
        }
        if (d.get(LATEST) instanceof Document latest) {
            out.put(FAULT, latest.get(FAULT)); // the newest reading's fault, or none
        }
        Instant noData = MeterDocs.noDataSince(d);
        if (noData != null) {
            out.put("noDataSince", noData.toString()); // the bridge is connected, the meter behind it silent
        }
        return out;
    }

    private static Map<String, Object> pick(Document d, List<String> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String f : fields) {
            if (d.containsKey(f)) {
                out.put(f, plain(d.get(f)));
            }
        }
        return out;
    }

    private static Object plain(Object v) {
        return Responses.plainValue(v);
    }
}
