package dev.ims.ingest;

import java.util.concurrent.atomic.AtomicLong;

/** Totals since the instance's first start (restored from the database at start). Thread-safe. */
public final class IngestCounters {
    final AtomicLong received = new AtomicLong();
    final AtomicLong stored = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();

    public long received() {
        return received.get();
    }

    public long stored() {
        return stored.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long rejected() {
        return rejected.get();
    }

    @Override
    public String toString() {
        return "received=" + received() + " stored=" + stored() + " duplicates=" + duplicates() + " rejected=" + rejected();
    }
}
