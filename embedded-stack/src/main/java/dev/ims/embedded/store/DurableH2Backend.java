package dev.ims.embedded.store;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import java.util.Set;

/**
 * The H2 MVStore backend, committing every write before it is acknowledged. Plain {@link H2Backend} commits
 * in the background about once a second, so a process killed right after a write was acknowledged lost
 * it. Here a write command's reply goes out only after {@code MVStore.commit()} has handed the change to
 * the operating system: it survives the death of the process (kill -9). It does not force the disk
 * (no fsync per write), so a power cut can still lose the last writes; real MongoDB with journaling is
 * the store for that. Only OP_MSG is covered: the only message kind MongoDB drivers since 3.6 send.
 */
final class DurableH2Backend extends H2Backend {

    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify", "createindexes", "create",
            "drop", "dropdatabase", "dropindexes", "renamecollection");

    DurableH2Backend(String file) {
        super(file);
    }

    @Override
    public Document handleMessage(MongoMessage message) {
        Document reply = super.handleMessage(message);
        commitIfWrite(message.getDocument());
        return reply;
    }

    private void commitIfWrite(Document command) {
        if (!command.isEmpty() && WRITES.contains(command.keySet().iterator().next().toLowerCase(java.util.Locale.ROOT))) {
            commit();
        }
    }
}
