package dev.ims.store;

import static dev.ims.model.storage.StoreSchema.FEED_AT;
import static dev.ims.model.storage.StoreSchema.FEED_CHANGED;
import static dev.ims.model.storage.StoreSchema.FEED_INSTANCE;

import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.Updates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import org.bson.conversions.Bson;

/**
 * The fleet change feed's layout, shared by its writer (each ingest instance) and its reader (the portal's fleet index).
 *
 * <p>An ingest instance appends the IDs of the meters whose document it wrote to its current slot's document
 * ({@code fleet_changes}, {@code _id} = {@link #slotId}): one upsert per flush, filtered on {@code _id} alone. A reader
 * asks for the slots since its last read by their computed ids ({@code $in}, the primary index on any store), remembers
 * how many IDs it has taken from the newest slot it saw, and reads just the meters behind the new ones.
 *
 * <p>Appended with {@code $push}, not {@code $addToSet}: a meter written twice in a slot is listed twice, so a reader that
 * has taken the first mention still learns of the second (with a set it would see no new entry). The list stays
 * bounded: a flush writes each meter once, and a slot lasts {@link #SLOT}.
 */
public final class FleetFeed {

    /** The length of a slot. */
    public static final Duration SLOT = Duration.ofSeconds(5);
    /**
     * How long an instance keeps its slots; a reader further behind than this reloads everything. Longer than the portal's
     * default full resync (10 min), so that a reader that reloads on time never falls behind.
     */
    public static final Duration RETENTION = Duration.ofMinutes(15);

    private FleetFeed() {}

    /** The slot of instant {@code t}: whole {@link #SLOT}s since the epoch. */
    public static long slotOf(Instant t) {
        return Math.floorDiv(t.toEpochMilli(), SLOT.toMillis());
    }

    /** Slots per {@link #RETENTION}. */
    public static long retainedSlots() {
        return RETENTION.toMillis() / SLOT.toMillis();
    }

    /** {@code <instance>/<slot>}. */
    public static String slotId(String instance, long slot) {
        return instance + "/" + slot;
    }

    /** The slot of a slot id, or -1 when it is not one. */
    public static long slotOfId(String id) {
        int slash = id == null ? -1 : id.lastIndexOf('/');
        if (slash < 0) {
            return -1;
        }
        try {
            return Long.parseLong(id.substring(slash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The ids of {@code instance}'s slots {@code from} to {@code to}, both included (none when {@code from > to}). */
    public static List<String> slotIds(String instance, long from, long to) {
        List<String> ids = new ArrayList<>((int) Math.max(0, Math.min(to - from + 1, 100_000)));
        for (long s = from; s <= to; s++) {
            ids.add(slotId(instance, s));
        }
        return ids;
    }

    /** The upsert (with a filter on {@link #slotId}) that appends {@code meterIds}, each once, written at {@code at}. */
    public static Bson append(String instance, Collection<String> meterIds, Instant at) {
        return Updates.combine(Updates.set(FEED_INSTANCE, instance), Updates.max(FEED_AT, Date.from(at)),
                Updates.pushEach(FEED_CHANGED, new ArrayList<>(new LinkedHashSet<>(meterIds)), new PushOptions()));
    }
}
