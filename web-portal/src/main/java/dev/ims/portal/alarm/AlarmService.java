package dev.ims.portal.alarm;

import static dev.ims.model.storage.StoreSchema.*;

import io.vertx.core.Future;
import java.util.List;

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
}
