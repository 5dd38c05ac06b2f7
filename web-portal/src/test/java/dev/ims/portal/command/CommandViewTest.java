package dev.ims.portal.command;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class CommandViewTest {

    private static final Instant T = Instant.parse("2026-11-29T10:15:30Z");

    /** A relay command document with every field the portal and the ingest write today. */
    private static Document stored() {
        Date t = Date.from(T);
        return new Document(ID, "c-1").append(METER_ID, "IMS-0001").append(RELAY, "OFF").append(REASON, "arrears")
                .append(REQUESTED_BY, "staff1").append(REQUESTED_AT, t).append(STATE, "VERIFIED").append(EXPIRES_AT, t)
                .append(SIGNED, new Document(TS, T.toString()).append(EXPIRES_AT, T.toString()).append(KEY_ID, "k1").append(SIG, "abc"))
                .append(HISTORY, List.of(new Document(STATE, "PENDING").append(AT, t).append(DETAIL, "requested")))
                .append(SENT_AT, t).append(ACKED_AT, t).append(ACK_TS, t).append(ACK_RELAY, "OFF").append(VERIFIED_AT, t)
                .append(VERIFIED_SEQ, 42L).append(BULK_ID, "b-1").append(QUEUE_VALIDITY_MINUTES, 60L)
                .append(APPROVAL, new Document(UNTIL, t).append("decision", "APPROVED").append(BY, "staff2"))
                .append(OVERRIDE, new Document(BY, "staff1").append(AT, t).append(REASON, "checked"));
    }

    @Test
    void staffView_publishesEveryStoredField_withDatesAsIsoStrings() {
        Map<String, Object> v = CommandView.of(stored(), true);
        assertThat(v.keySet()).containsExactlyInAnyOrder("commandId", METER_ID, RELAY, REASON, REQUESTED_BY, REQUESTED_AT, STATE,
                EXPIRES_AT, SIGNED, HISTORY, SENT_AT, ACKED_AT, ACK_TS, ACK_RELAY, VERIFIED_AT, VERIFIED_SEQ, BULK_ID,
                QUEUE_VALIDITY_MINUTES, APPROVAL, OVERRIDE);
        assertThat(v).containsEntry("commandId", "c-1").containsEntry(REQUESTED_AT, T.toString()).containsEntry(VERIFIED_SEQ, 42L);
    }

    @Test
    void consumerView_leavesOutWhoAsked_theAuditTrail_andTheSignature() {
        Map<String, Object> v = CommandView.of(stored(), false);
        assertThat(v).doesNotContainKeys(REQUESTED_BY, HISTORY, SIGNED).containsKeys("commandId", STATE, RELAY, EXPIRES_AT);
    }

    @Test
    void view_ofADocumentWithANewUnknownField_doesNotPublishIt() {
        Document d = stored().append("internalRetries", 3).append("brokerToken", "t0k3n");
        assertThat(CommandView.of(d, true)).doesNotContainKeys("internalRetries", "brokerToken", ID);
        assertThat(CommandView.of(d, false)).doesNotContainKeys("internalRetries", "brokerToken", ID);
    }
}
