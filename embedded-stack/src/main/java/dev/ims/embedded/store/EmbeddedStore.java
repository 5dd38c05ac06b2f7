package dev.ims.embedded.store;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import dev.ims.embedded.EmbeddedStartException;
import dev.ims.embedded.FreePorts;
import dev.ims.model.config.PrivateFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * mongo-java-server on a real TCP port, spoken to by the real MongoDB driver. With a data folder the
 * H2 MVStore backend keeps the data in one file, committing each write before acknowledging it
 * ({@link DurableH2Backend}): an acknowledged write survives a kill -9 of the process. No fsync per write:
 * a power cut can lose the last writes (real MongoDB with journaling does not have that window).
 *
 * <p>Known limits (checked): no sessions or transactions, no change streams, no {@code $dateTrunc}; the
 * code using it relies only on unique indexes, unordered inserts and idempotent upserts.
 */
public final class EmbeddedStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedStore.class);

    private final MongoServer server;
    private final MongoBackend backend;
    private final int port;
    private final String urlHost;

    private EmbeddedStore(MongoServer server, MongoBackend backend, int port, String urlHost) {
        this.server = server;
        this.backend = backend;
        this.port = port;
        this.urlHost = urlHost;
    }

    /** @throws EmbeddedStartException when the file cannot be opened or the port is taken */
    public static EmbeddedStore start(EmbeddedStoreOptions options) {
        MongoBackend backend;
        Path file = null;
        try {
            if (options.dataDir() == null) {
                backend = new MemoryBackend();
            } else {
                // The file holds staff sessions and readings: only this account may read it or plant one. H2
                // creates it with the umask's mode, so the folder is 0700 before and the file 0600 after (an
                // older version's file included).
                file = PrivateFiles.createDirectories(options.dataDir().toAbsolutePath()).resolve(EmbeddedStoreOptions.FILE_NAME);
                backend = new DurableH2Backend(file.toString());
                try {
                    PrivateFiles.restrictTree(file.getParent());
                } catch (IOException e) {
                    backend.close();
                    throw e;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new EmbeddedStartException("embedded store cannot open " + options.dataDir() + ": " + e.getMessage(), e);
        }
        int port = FreePorts.resolve(options.port());
        MongoServer server = new MongoServer(backend);
        try {
            server.bind(new InetSocketAddress(options.bindAddress().address(), port));
        } catch (Exception e) {
            // Exception, not RuntimeException: Netty rethrows the checked BindException unchecked ("sneaky").
            server.shutdownNow();
            backend.close();
            throw new EmbeddedStartException("embedded store cannot listen on " + options.bindAddress() + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("Embedded MongoDB-compatible store listening on {}:{} ({}; {})", options.bindAddress(), port,
                options.bindAddress().reach(), file == null ? "in memory" : file);
        return new EmbeddedStore(server, backend, port, options.bindAddress().urlHost());
    }

    public int port() {
        return port;
    }

    /** For clients on this machine: on the bound address, or on 127.0.0.1 when bound to every interface. */
    public String connectionString() {
        return "mongodb://" + urlHost + ":" + port;
    }

    /** Stops listening, then closes the backend so the file is consistent. */
    @Override
    public void close() {
        server.shutdownNow();
        backend.close();
        LOG.info("Embedded store stopped");
    }
}
