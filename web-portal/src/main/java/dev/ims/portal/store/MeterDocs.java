package dev.ims.portal.store;

import static dev.ims.model.storage.StoreSchema.AT;
import static dev.ims.model.storage.StoreSchema.CONNECTION;
import static dev.ims.model.storage.StoreSchema.CONNECTION_LAST;
import static dev.ims.model.storage.StoreSchema.DECOMMISSIONED;
import static dev.ims.model.storage.StoreSchema.LAST_DATA;
import static dev.ims.model.storage.StoreSchema.SOURCE;
import static dev.ims.model.storage.StoreSchema.STATE;

import java.time.Instant;
import java.util.Date;
import org.bson.Document;

/**
 * What a meter document says, read the same way by every part of the portal (the API views, the alarms, the commands,
 * the fleet figures): pure functions over one document, no store access. They live here, beside the repository, so that
 * the packages reading meters depend on the data layer and not on each other.
 */
public final class MeterDocs {

    /** The state of a meter whose connection state the store does not know. */
    public static final String UNKNOWN = "UNKNOWN";

    private MeterDocs() {}

    /** Whether a meter document says its meter was decommissioned. */
    public static boolean isDecommissioned(Document meter) {
        return meter.get(DECOMMISSIONED) != null;
    }

    /**
     * A meter document's connection state: {@code OFFLINE} once decommissioned (its credential is refused from that
     * moment and its session closed; Mosquitto's dynamic security closes it without publishing the meter's will, so no
     * OFFLINE status may ever arrive), else the newest status the ingest kept ({@code connectionLast}), else the older
     * {@code connection} field, else {@value #UNKNOWN}.
     */
    public static String connectionState(Document meter) {
        if (isDecommissioned(meter)) {
            return "OFFLINE";
        }
        Document last = meter.get(CONNECTION_LAST, Document.class);
        String state = last == null ? null : last.getString(STATE);
        if (state == null) {
            state = meter.getString(CONNECTION);
        }
        return state == null ? UNKNOWN : state;
    }

    /**
     * When a connected meter's bridge last had data from the meter, if its newest source report says SILENT; null otherwise
     * (data arrives, no report, or the meter is offline: its report is then stale and METER_OFFLINE says more).
     */
    public static Instant noDataSince(Document meter) {
        Document source = meter.get(SOURCE, Document.class);
        if (source == null || !"SILENT".equals(source.getString(STATE)) || "OFFLINE".equals(connectionState(meter))) {
            return null;
        }
        Date last = source.getDate(LAST_DATA);
        return last != null ? last.toInstant() : source.getDate(AT).toInstant();
    }
}
