package dev.ims.portal.store;

import dev.ims.model.reading.Reading;
import dev.ims.store.ReadingDocs;
import java.time.Instant;
import java.util.Comparator;
import org.bson.Document;

/** A reading as stored: what the meter sent and when the ingest received it. */
public record StoredReading(Reading reading, Instant receivedAt) {

    /** Oldest first: by time, then seq. */
    public static final Comparator<StoredReading> OLDEST_FIRST = Comparator.<StoredReading, Instant>comparing(s -> s.reading().ts())
            .thenComparingLong(s -> s.reading().seq());

    /** The stored document's shape (the fields the API has always published), for views. */
    public Document document() {
        return ReadingDocs.reading(reading, receivedAt);
    }
}
