package dev.ims.portal.meter;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class RejectedViewTest {

    private static final Instant T = Instant.parse("2026-11-29T10:15:30Z");
    private static final ObjectId OID = new ObjectId("65f0c0ffee00000000000001");

    /** A quarantined reading as the ingest stores it, decided by staff. */
    private static Document stored() {
        return new Document(ID, OID).append(TOPIC, "ims/v1/meters/IMS-0001/readings").append(METER_ID, "IMS-0001")
                .append(PAYLOAD, "{\"seq\":9}").append(PAYLOAD_BYTES, 9).append(REASON, "SEQ_JUMP").append(DETAIL, "seq 9 after 2")
                .append(RECEIVED_AT, Date.from(T)).append(QUARANTINE, QUARANTINE_DISCARDED)
                .append(READING, new Document(SEQ, 9L).append(TS, Date.from(T)))
                .append(DECISION, new Document(ACTION, "DISCARD").append(BY, "staff1").append(AT, Date.from(T)));
    }

    @Test
    void view_publishesEveryStoredField_withTheIdAsHex_andDatesAsIsoStrings() {
        Map<String, Object> v = RejectedView.of(stored());
        assertThat(v.keySet()).containsExactly("id", TOPIC, METER_ID, PAYLOAD, PAYLOAD_BYTES, REASON, DETAIL, RECEIVED_AT, QUARANTINE,
                READING, DECISION);
        assertThat(v).containsEntry("id", OID.toHexString()).containsEntry(RECEIVED_AT, T.toString()).containsEntry(PAYLOAD_BYTES, 9);
    }

    @Test
    void view_ofADocumentWithANewUnknownField_doesNotPublishIt() {
        Map<String, Object> v = RejectedView.of(stored().append("clientAddress", "192.0.2.7"));
        assertThat(v).doesNotContainKeys("clientAddress", ID);
        assertThat(v.toString()).doesNotContain("192.0.2.7");
    }
}
