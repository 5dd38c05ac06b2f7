package dev.ims.embedded.store;

import java.nio.file.Path;

/**
 * @param bindAddress listen address ({@value #DEFAULT_BIND_ADDRESS}: this machine only)
 * @param port listen port, 0 for any free port
 * @param dataDir folder of the store's file; null keeps everything in memory (tests)
 */
public record EmbeddedStoreOptions(String bindAddress, int port, Path dataDir) {

    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final String FILE_NAME = "ims.mv";

    public static EmbeddedStoreOptions onDisk(int port, Path dataDir) {
        return new EmbeddedStoreOptions(DEFAULT_BIND_ADDRESS, port, dataDir);
    }

    public static EmbeddedStoreOptions inMemory() {
        return new EmbeddedStoreOptions(DEFAULT_BIND_ADDRESS, 0, null);
    }
}
