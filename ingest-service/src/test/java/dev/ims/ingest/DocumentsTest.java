package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.storage.StoreSchema;
import dev.ims.store.ReadingDocs;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.bson.Document;
import org.junit.jupiter.api.Test;

/** Rejections and quarantined readings as documents (readings and their writes: meter-store's BatchWritesTest, ReadingDocsTest). */
class DocumentsTest {

    @Test
    void quarantinedReading_keepsTheReadingWithoutItsReceipt_forStaffToDecideOn() {
        Instant t = Instant.parse("2026-06-21T10:00:00Z");
        Reading r = Reading.of("m-1", 7, t, 10.0, 250.0, null, null, null, null).withExport(5.5, 1200.0);
        Document d = Documents.quarantined("meters/m-1/reading", "{}".getBytes(StandardCharsets.UTF_8), r, RejectReason.REGISTER_BACKWARDS,
                "why", t.plusSeconds(5));
        assertThat(d.getString(StoreSchema.METER_ID)).isEqualTo("m-1");
        assertThat(d.getString(StoreSchema.REASON)).isEqualTo("REGISTER_BACKWARDS");
        assertThat(d.getString(StoreSchema.QUARANTINE)).isEqualTo(StoreSchema.QUARANTINE_OPEN);
        Document reading = d.get(StoreSchema.READING, Document.class);
        assertThat(reading).doesNotContainKey(StoreSchema.RECEIVED_AT);
        assertThat(ReadingDocs.readingFrom(reading, null)).isEqualTo(r);
    }

    @Test
    void rejectedPayload_isCutToTheLimit_andInvalidUtf8IsReplaced() {
        byte[] big = "x".repeat(5000).getBytes(StandardCharsets.UTF_8);
        assertThat(Documents.boundedText(big, 2048)).hasSize(2049).endsWith("…");
        assertThat(Documents.boundedText(new byte[] {'a', (byte) 0xFF, 'b'}, 2048)).isEqualTo("a\uFFFDb");
    }
}
