package dev.ims.embedded.store;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.ValueComparator;
import java.nio.ByteBuffer;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

/**
 * The key type of the store's unique-index maps: the same bytes on disk as H2's default {@link ObjectDataType} (so an
 * index map written before keeps its entries), compared by value in MongoDB's order instead of by their Java
 * serialization.
 *
 * <p>Why: mongo-java-server keys its unique indexes ({@code _id} included) by {@link KeyValue}, which is not
 * {@link Comparable}; H2's default type then compares two keys by serializing both with Java serialization, at each
 * step of every B-tree search. Measured on the ingest's field profile (one upsert per reading into its hour bucket):
 * about a third of the store's time per upsert went there. Comparing the values directly costs nanoseconds.
 *
 * <p>The order differs from the serialized one, so an index map built under the old order is rebuilt once at open
 * ({@link IndexOrderedH2Database}).
 */
final class IndexKeyType extends BasicDataType<KeyValue> {

    static final IndexKeyType INSTANCE = new IndexKeyType();

    private static final ValueComparator ORDER = ValueComparator.asc();
    private final ObjectDataType bytes = new ObjectDataType();

    private IndexKeyType() {}

    @Override
    public int compare(KeyValue a, KeyValue b) {
        if (a == b) {
            return 0;
        }
        int n = Math.min(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            int c = ORDER.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @Override
    public int getMemory(KeyValue key) {
        return bytes.getMemory(key);
    }

    @Override
    public void write(WriteBuffer buff, KeyValue key) {
        bytes.write(buff, key);
    }

    @Override
    public KeyValue read(ByteBuffer buff) {
        return (KeyValue) bytes.read(buff);
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }

    @Override
    public boolean isMemoryEstimationAllowed() {
        return true;
    }
}
