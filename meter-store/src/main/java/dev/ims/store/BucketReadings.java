package dev.ims.store;

import static dev.ims.model.storage.StoreSchema.*;
import static dev.ims.store.StoreLayout.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bson.Document;

/** The readings an hour bucket holds, as documents with {@code meterId} (the shape of a stored reading), in seq order. */
public final class BucketReadings {

    private BucketReadings() {}

    public static List<Document> of(Document bucket) {
        String meterId = bucket.getString(METER_ID);
        if (!(bucket.get(READINGS_BY_SEQ) instanceof Document bySeq)) {
            return List.of();
        }
        List<Document> out = new ArrayList<>(bySeq.size());
        for (Object v : bySeq.values()) {
            Document r = new Document(METER_ID, meterId);
            r.putAll((Document) v);
            out.add(r);
        }
        out.sort(Comparator.comparingLong(d -> ((Number) d.get(SEQ)).longValue()));
        return out;
    }
}
