package dev.ims.embedded.store;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.MVStore;

/**
 * The H2 MVStore backend, committing every write whole before it is acknowledged.
 *
 * <p>Plain {@link H2Backend} commits in the background about once a second, so a process killed right
 * after a write was acknowledged lost it. Here a write command's reply goes out only after {@code
 * MVStore.commit()} has handed the change to the operating system: it survives the death of the process
 * (kill -9). It does not force the disk (no fsync per write), so a power cut can still lose the last
 * writes; real MongoDB with journaling is the store for that. Only OP_MSG is covered: the only message
 * kind MongoDB drivers since 3.6 send.
 *
 * <p>A commit must never catch a write half-applied: mongo-java-server changes a document and each of its
 * indexes one after the other (separate MVMaps), so a commit taken meanwhile persisted a document without
 * its unique-index entry, and after a kill the redelivered reading was inserted a second time. So the store
 * is opened without background auto-commit, and write commands run one at a time, each followed by its
 * commit, under one lock; reads do not take it.
 */
final class DurableH2Backend extends H2Backend {

    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify", "createindexes", "create",
            "drop", "dropdatabase", "dropindexes", "renamecollection");

    private final ReentrantLock writes = new ReentrantLock();

    DurableH2Backend(String file) {
        super(new MVStore.Builder().fileName(file).autoCommitDisabled().open());
    }

    /** Databases whose unique indexes compare keys by value ({@link IndexOrderedH2Database}). */
    @Override
    protected de.bwaldvogel.mongo.MongoDatabase openOrCreateDatabase(String databaseName) {
        return IndexOrderedH2Database.open(databaseName, getMvStore(), getCursorRegistry());
    }

    @Override
    public Document handleMessage(MongoMessage message) {
        if (!isWrite(message.getDocument())) {
            return super.handleMessage(message);
        }
        writes.lock();
        try {
            Document reply = super.handleMessage(message);
            commit();
            return reply;
        } finally {
            writes.unlock();
        }
    }

    private static boolean isWrite(Document command) {
        return !command.isEmpty() && WRITES.contains(command.keySet().iterator().next().toLowerCase(java.util.Locale.ROOT));
    }
}
