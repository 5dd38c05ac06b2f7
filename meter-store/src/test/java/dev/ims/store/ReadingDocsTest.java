package dev.ims.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.reading.Reading;
import dev.ims.model.storage.StoreSchema;
import java.time.Instant;
import org.bson.Document;
import org.junit.jupiter.api.Test;

class ReadingDocsTest {

    private static final Instant T = Instant.parse("2026-06-21T10:00:00Z");

    @Test
    void readingDocument_carriesExportOnlyWhenPresent_andReadsBack() {
        Reading plain = Reading.of("m-1", 1, T, 10.0, 250.0, null, null, null, null);
        Reading exporting = plain.withExport(5.5, 1200.0);
        assertThat(ReadingDocs.reading(plain, T)).doesNotContainKeys(StoreSchema.EXPORT_KWH, StoreSchema.EXPORT_POWER_W);
        Document d = ReadingDocs.reading(exporting, T);
        assertThat(d.get(StoreSchema.EXPORT_KWH)).isEqualTo(5.5);
        assertThat(d.get(StoreSchema.EXPORT_POWER_W)).isEqualTo(1200.0);
        assertThat(d).doesNotContainKey(StoreSchema.EXTRA);
        assertThat(ReadingDocs.readingFrom(d, null)).isEqualTo(exporting);
        // In a bucket the meter ID is the bucket's.
        assertThat(ReadingDocs.readingFrom(ReadingDocs.inBucket(exporting, T), "m-1")).isEqualTo(exporting);
    }

    @Test
    void sameReading_tellsAnExportDifference_butNotTheReceipt() {
        Reading plain = Reading.of("m-1", 1, T, 10.0, 0.0, null, null, null, null);
        Reading exporting = plain.withExport(5.5, 1200.0);
        Document stored = ReadingDocs.inBucket(exporting, T);
        assertThat(ReadingDocs.sameReading(stored, exporting)).isTrue();
        assertThat(ReadingDocs.sameReading(ReadingDocs.inBucket(exporting, T.plusSeconds(60)), exporting)).isTrue();
        assertThat(ReadingDocs.sameReading(stored, plain.withExport(5.6, 1200.0))).isFalse();
        assertThat(ReadingDocs.sameReading(stored, plain.withExport(5.5, 1100.0))).isFalse();
        assertThat(ReadingDocs.sameReading(stored, plain)).isFalse();
        assertThat(ReadingDocs.sameReading(ReadingDocs.inBucket(plain, T), exporting)).isFalse();
        assertThat(ReadingDocs.sameReading(ReadingDocs.inBucket(plain, T), plain)).isTrue();
    }
}
