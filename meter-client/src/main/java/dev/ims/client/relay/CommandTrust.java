package dev.ims.client.relay;

import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.config.ImsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a meter gets the public keys whose relay commands it carries out: the one place that loads them,
 * for the simulated meters and the bridge alike (an enrolment step that delivers the key set to the meter
 * replaces this loading, nothing else).
 *
 * <p>The key set is a file: {@code --command-keys FILE} when given (it always wins); else the set the portal
 * delivered at the meter's enrolment, beside its state file ({@link dev.ims.client.enrol.MeterEnrolment#commandKeysFile});
 * else {@code {IMS_DATA_DIR}/keys/command-keys.json}, which the local portal writes next to its signing key. Read once
 * at start: a key added later takes effect at the meter's next start (which enrols again and so fetches it).
 */
public final class CommandTrust {

    private static final Logger LOG = LoggerFactory.getLogger(CommandTrust.class);

    /** The option that names the key-set file, for messages. */
    public static final String OPTION = "--command-keys";

    private CommandTrust() {}

    /** The key-set file: {@code configured} when given, else the default under the data folder. */
    public static Path keySetFile(Path configured, ImsSettings settings) {
        return configured != null ? configured : CommandKeys.defaultKeySetFile(settings.dataDir());
    }

    /**
     * The key-set file of the meter whose state is in {@code stateFile}: {@code configured} when given, else the set
     * its enrolment delivered when there is one, else the default under the data folder.
     */
    public static Path keySetFile(Path configured, Path stateFile, ImsSettings settings) {
        if (configured != null) {
            return configured;
        }
        Path enrolled = dev.ims.client.enrol.MeterEnrolment.commandKeysFile(stateFile);
        return Files.exists(enrolled) ? enrolled : CommandKeys.defaultKeySetFile(settings.dataDir());
    }

    /**
     * The verifier over the keys in {@code keySetFile}. A missing file fails closed: the verifier trusts no
     * key, so every command is refused, and this is logged once, here, as a WARN naming the option.
     *
     * @throws dev.ims.model.command.CommandKeyException naming the file when it exists but is unreadable or
     *     not a key set: a meter must not start believing it trusts keys it cannot read
     */
    public static CommandVerifier load(Path keySetFile) {
        if (!Files.exists(keySetFile)) {
            LOG.warn("No command key set at {}: every relay command will be refused. Give the portal's public keys with {} FILE "
                    + "(the portal writes them to {IMS_DATA_DIR}/{})", keySetFile.toAbsolutePath().normalize(), OPTION,
                    CommandKeys.DEFAULT_KEY_SET_FILE);
            return new CommandVerifier(CommandKeySet.EMPTY);
        }
        CommandKeySet keys = CommandKeySet.read(keySetFile);
        if (keys.isEmpty()) {
            LOG.warn("The command key set {} lists no key: every relay command will be refused ({} FILE)", keySetFile.toAbsolutePath().normalize(),
                    OPTION);
        } else {
            LOG.info("Relay commands are carried out when signed by one of {} key(s) {} from {}", keys.keys().size(), keys.keys().keySet(),
                    keySetFile.toAbsolutePath().normalize());
        }
        return new CommandVerifier(keys);
    }
}
