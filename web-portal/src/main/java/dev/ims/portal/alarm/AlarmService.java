package dev.ims.portal.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import dev.ims.portal.meter.MeterRoutes;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bson.Document;

/**
 * What the fleet page shows of the alarms: the open ones, most severe first, at most {@link #FLEET_PAGE_ALARMS} (the rest
 * on {@code /staff/alarms}). The records are raised and cleared as things happen (the ingest, {@link AlarmSweeper}); this
 * only reads them.
 */
public final class AlarmService {

    /** The fleet page lists at most this many open alarms. */
    public static final int FLEET_PAGE_ALARMS = 20;

    private final AlarmStore store;

    public AlarmService(AlarmStore store) {
        this.store = store;
    }

    public AlarmStore store() {
        return store;
    }

    /** The open alarms, most severe first, at most {@link #FLEET_PAGE_ALARMS}. */
    public Future<List<Alarm>> alarms() {
        return store.list(new AlarmStore.Query(AlarmStore.State.OPEN, null, null, null, null, null, FLEET_PAGE_ALARMS));
    }

    /**
     * When a connected meter's bridge last had data from the meter, if its newest source report says SILENT; null otherwise
     * (data arrives, no report, or the meter is offline: its report is then stale and METER_OFFLINE says more).
     */
    public static Instant noDataSince(Document meter) {
        Document source = meter.get(SOURCE, Document.class);
        if (source == null || !"SILENT".equals(source.getString(STATE)) || "OFFLINE".equals(MeterRoutes.connectionState(meter))) {
            return null;
        }
        Date last = source.getDate(LAST_DATA);
        return last != null ? last.toInstant() : source.getDate(AT).toInstant();
    }
}
