package dev.ims.embedded.store;

import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An H2 database whose unique-index maps use {@link IndexKeyType}: keys compared by value, not by their Java
 * serialization. The map is opened with that type before mongo-java-server opens it by name (it then gets the open
 * map). An index map written under the old order (any store written before this class, recorded in
 * {@value #ORDER_MAP}) is rebuilt once, entry by entry, and recorded.
 */
final class IndexOrderedH2Database extends H2Database {

    private static final Logger LOG = LoggerFactory.getLogger(IndexOrderedH2Database.class);
    /** The index maps known to be in value order (map name → this class's order version). */
    static final String ORDER_MAP = "ims.index-key-order";
    static final String ORDER_VERSION = "value-1";

    /**
     * The store of the database under construction: mongo-java-server opens the existing indexes from inside its
     * constructor, before this class's fields are set.
     */
    private static final ThreadLocal<MVStore> OPENING = new ThreadLocal<>();

    private final MVStore store;

    private IndexOrderedH2Database(String name, MVStore store, CursorRegistry cursors) {
        super(name, store, cursors);
        this.store = store;
    }

    static IndexOrderedH2Database open(String name, MVStore store, CursorRegistry cursors) {
        OPENING.set(store);
        try {
            return new IndexOrderedH2Database(name, store, cursors);
        } finally {
            OPENING.remove();
        }
    }

    @Override
    protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
        MVStore s = store != null ? store : OPENING.get();
        openInValueOrder(s, getFullCollectionNamespace(collectionName) + "._index_" + indexName);
        return super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse);
    }

    /** Opens (and if needed first rebuilds) index map {@code name} with {@link IndexKeyType} keys. */
    static synchronized void openInValueOrder(MVStore s, String name) {
        MVMap<String, String> order = s.openMap(ORDER_MAP);
        if (s.hasMap(name) && !ORDER_VERSION.equals(order.get(name))) {
            MVMap<Object, Object> old = s.openMap(name);
            List<Map.Entry<Object, Object>> entries = new ArrayList<>(old.size());
            for (Map.Entry<Object, Object> e : old.entrySet()) {
                entries.add(Map.entry(e.getKey(), e.getValue()));
            }
            s.removeMap(old);
            MVMap<KeyValue, Object> rebuilt = s.openMap(name, new MVMap.Builder<KeyValue, Object>().keyType(IndexKeyType.INSTANCE));
            for (Map.Entry<Object, Object> e : entries) {
                rebuilt.put((KeyValue) e.getKey(), e.getValue());
            }
            order.put(name, ORDER_VERSION);
            s.commit();
            LOG.info("Store index {} rebuilt in value order ({} entries): once, for faster lookups", name, entries.size());
            return;
        }
        s.openMap(name, new MVMap.Builder<KeyValue, Object>().keyType(IndexKeyType.INSTANCE));
        if (!ORDER_VERSION.equals(order.get(name))) {
            order.put(name, ORDER_VERSION);
        }
    }
}
