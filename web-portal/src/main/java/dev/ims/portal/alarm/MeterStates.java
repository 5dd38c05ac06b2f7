package dev.ims.portal.alarm;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;

/**
 * The meters' states the sweeper judges time-based alarms from (silent, no data, decommissioned). Behind an interface
 * so that an in-memory index of the fleet can replace the store read ({@link StoreMeterStates}).
 */
public interface MeterStates {

    /**
     * One meter's state.
     *
     * @param lastSeen when its last reading was received, or null
     * @param connection {@code ONLINE}, {@code OFFLINE} or {@code UNKNOWN}
     * @param noDataSince when its bridge last had data from the meter, while the bridge reports it SILENT; else null
     */
    record State(String meterId, Instant lastSeen, String connection, boolean decommissioned, Instant noDataSince) {}

    /** Every meter's state, now. */
    Future<List<State>> all();
}
