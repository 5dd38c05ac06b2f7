package dev.ims.embedded.store;

import dev.ims.model.config.BindAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * @param bindAddress listen address ({@link #DEFAULT_BIND_ADDRESS}: this machine only; {@code IMS_BIND_ADDRESS} opens it)
 * @param port listen port, 0 for any free port
 * @param dataDir folder of the store's file; null keeps everything in memory (tests)
 */
public record EmbeddedStoreOptions(BindAddress bindAddress, int port, Path dataDir) {

    public static final BindAddress DEFAULT_BIND_ADDRESS = BindAddress.LOOPBACK;
    public static final String FILE_NAME = "ims.mv";

    public EmbeddedStoreOptions {
        Objects.requireNonNull(bindAddress, "bindAddress");
    }

    public static EmbeddedStoreOptions onDisk(int port, Path dataDir) {
        return new EmbeddedStoreOptions(DEFAULT_BIND_ADDRESS, port, dataDir);
    }

    public static EmbeddedStoreOptions inMemory() {
        return new EmbeddedStoreOptions(DEFAULT_BIND_ADDRESS, 0, null);
    }

    public EmbeddedStoreOptions withBindAddress(BindAddress address) {
        return new EmbeddedStoreOptions(address, port, dataDir);
    }
}
