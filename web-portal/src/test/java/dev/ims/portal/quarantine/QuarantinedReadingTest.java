package dev.ims.portal.quarantine;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class QuarantinedReadingTest {

    static final ObjectId ID_1 = new ObjectId("6b0c5ad7dccca07b1fcca5cf");

    @Test
    void anOpenDocument_showsItsIdAsHex_datesAsIsoText_andNoDecision() {
        Document d = new Document(ID, ID_1).append(METER_ID, "m-1").append(QUARANTINE, QUARANTINE_OPEN).append(REASON, "SEQ_JUMP")
                .append(DETAIL, "seq 120 after 100").append(RECEIVED_AT, Date.from(Instant.parse("2026-11-24T10:00:00Z")))
                .append(READING, new Document(SEQ, 120L).append(TS, Date.from(Instant.parse("2026-11-24T09:59:55Z"))).append(ENERGY_KWH, 12.5));
        QuarantinedReading q = QuarantinedReading.of(d);
        assertThat(q.id()).isEqualTo("6b0c5ad7dccca07b1fcca5cf");
        assertThat(q.open()).isTrue();
        assertThat(q.receivedAt()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(q.reading()).containsEntry(SEQ, 120L).containsEntry(TS, "2026-11-24T09:59:55Z").containsEntry(ENERGY_KWH, 12.5);
        assertThat(q.decision()).isNull();
    }

    @Test
    void aDecidedDocument_isNotOpen_andShowsItsDecision() {
        Document d = new Document(ID, ID_1).append(QUARANTINE, QUARANTINE_DISCARDED).append(DECISION, new Document("action", "DISCARD")
                .append("by", "admin").append(REASON, "lab test").append(AT, Date.from(Instant.parse("2026-11-25T08:00:00Z"))));
        QuarantinedReading q = QuarantinedReading.of(d);
        assertThat(q.open()).isFalse();
        assertThat(q.decision()).containsEntry("action", "DISCARD").containsEntry(AT, "2026-11-25T08:00:00Z");
        assertThat(q.reading()).as("a document without the reading still renders").isEmpty();
        assertThat(q.receivedAt()).isNull();
    }
}
