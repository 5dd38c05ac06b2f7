package dev.ims.portal.command;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.portal.web.Responses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.Document;

/**
 * A relay, circuit or schedule command as the API publishes it ({@code GET /api/v1/commands/{id}}, a meter's commands,
 * the approval queue) and the pages show it: every published field is listed here, so a field added to the command
 * document stays unpublished until it is added here and to docs/openapi.yaml's {@code Command} schema. Fields the
 * document lacks are left out; dates are ISO-8601.
 */
public final class CommandView {

    /** Published fields after {@code commandId}, in this order. */
    static final List<String> FIELDS = List.of(METER_ID, COMMAND_TYPE, COMMAND_CIRCUIT, RELAY, COMMAND_SCHEDULE, REASON, STATE,
            REQUESTED_BY, REQUESTED_AT, EXPIRES_AT, SENT_AT, ACKED_AT, ACK_TS, ACK_RELAY, VERIFIED_AT, VERIFIED_SEQ, ERROR, OVERRIDE,
            APPROVAL, BULK_ID, QUEUE_VALIDITY_MINUTES, SIGNED, HISTORY);

    /** Who asked, the audit trail and the signature: staff only. */
    static final Set<String> STAFF_ONLY = Set.of(REQUESTED_BY, HISTORY, SIGNED);

    private CommandView() {}

    public static Map<String, Object> of(Document d, boolean staff) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("commandId", d.getString(ID));
        for (String field : FIELDS) {
            if (d.containsKey(field) && (staff || !STAFF_ONLY.contains(field))) {
                out.put(field, Responses.plainValue(d.get(field)));
            }
        }
        return out;
    }
}
