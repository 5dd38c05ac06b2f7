package dev.ims.portal.command;

import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portal's command signing key and the public key set beside it.
 *
 * <p>At start the portal reads its signing key file, generating it when absent (folder {@code 0700}, file
 * {@code 0600}), and makes sure the key's public half is listed in {@code command-keys.json} in the same
 * folder, keeping every key listed there already: so a set lists old and new keys while a key is rotated
 * ({@link CommandKeysMain}: prepare the new key, give the set to meters, switch the portal, retire the old one).
 * Pointing {@code COMMAND_SIGNING_KEY_FILE} at a new, absent file also works, but the portal then signs with a
 * key that meters learn only when they get the set again. Blocking file I/O: call at start-up, not on an
 * event loop.
 */
public final class SigningKeys {

    private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);

    private SigningKeys() {}

    /** The key-set file the portal keeps next to {@code signingKeyFile}. */
    public static Path keySetBeside(Path signingKeyFile) {
        return signingKeyFile.toAbsolutePath().resolveSibling(CommandKeys.KEY_SET_FILE_NAME);
    }

    /**
     * The signer of the key in {@code signingKeyFile}, generated there first when absent; its public key is
     * added to the key set beside it.
     *
     * @throws dev.ims.model.command.CommandKeyException naming the file when a file exists but cannot be read
     *     or is not a key (never overwritten then), or when a file cannot be written
     */
    public static CommandSigner loadOrCreate(Path signingKeyFile) {
        CommandSigningKey key;
        if (Files.exists(signingKeyFile)) {
            key = CommandSigningKey.read(signingKeyFile);
        } else {
            key = CommandSigningKey.generate();
            key.write(signingKeyFile);
            LOG.info("Generated the command signing key {} in {}", key.keyId(), signingKeyFile.toAbsolutePath().normalize());
        }
        Path setFile = keySetBeside(signingKeyFile);
        CommandKeySet set = Files.exists(setFile) ? CommandKeySet.read(setFile) : CommandKeySet.EMPTY;
        if (!set.keys().containsKey(key.keyId())) {
            set = set.with(key.publicKey());
            set.write(setFile);
            LOG.info("Listed the public key {} in {} ({} key(s)): give this file to meters (--command-keys)", key.keyId(),
                    setFile.normalize(), set.keys().size());
        }
        LOG.info("Relay commands are signed with key {}", key.keyId());
        return key.signer();
    }
}
