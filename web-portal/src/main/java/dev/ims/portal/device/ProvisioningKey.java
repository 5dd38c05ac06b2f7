package dev.ims.portal.device;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.security.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet provisioning key: the shared secret a meter presents ({@code Authorization: Bearer <key>}) to enrol
 * itself. One line in a file ({@code IMS_PROVISIONING_KEY_FILE}, default {@code {IMS_DATA_DIR}/keys/provisioning-key}),
 * created with {@link Secrets#newSecret()} at the portal's first start ({@code 0600} in a {@code 0700} folder) and
 * kept from then on. Blocking file I/O: call at start-up.
 */
public final class ProvisioningKey {

    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningKey.class);
    /** Shorter keys are refused: they could be guessed. */
    public static final int MIN_LENGTH = 20;

    private ProvisioningKey() {}

    /** The key in {@code file}, created first when the file is missing. */
    public static String loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
                PrivateFiles.writeString(file, Secrets.newSecret() + "\n");
                LOG.info("Generated the fleet provisioning key in {}", file.toAbsolutePath().normalize());
            }
            String key = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (key.length() < MIN_LENGTH || key.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
                throw new ConfigException("provisioning key file " + file + " must hold one key of at least " + MIN_LENGTH
                        + " printable characters without spaces");
            }
            return key;
        } catch (IOException e) {
            throw new ConfigException("cannot read or create the provisioning key file " + file + ": " + e.getMessage());
        }
    }
}
