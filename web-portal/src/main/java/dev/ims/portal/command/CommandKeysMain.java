package dev.ims.portal.command;

import dev.ims.model.command.CommandKeyException;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.LogConfig;
import dev.ims.portal.PortalSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ./ims keys}: the portal's command keys, for rotating them without a moment in which meters refuse
 * the portal's commands. The portal signs with the key in {@code COMMAND_SIGNING_KEY_FILE} (default
 * {@code {IMS_DATA_DIR}/keys/command-signing-key.json}); meters trust the keys in {@code command-keys.json}
 * beside it.
 * <ol>
 *   <li>{@code keys new FILE}: a new signing key in FILE (beside the current one), listed in the key set;
 *       the portal keeps signing with the current key;
 *   <li>give the key set to every meter ({@code --command-keys}); they now accept both keys;
 *   <li>point {@code COMMAND_SIGNING_KEY_FILE} at FILE and restart the portal;
 *   <li>{@code keys retire OLD_ID} once no command signed with the old key is still on its way, give the set
 *       to the meters again, and delete the old key file.
 * </ol>
 */
@Command(name = "ims keys", mixinStandardHelpOptions = true, subcommands = {CommandKeysMain.ListKeys.class, CommandKeysMain.NewKey.class,
        CommandKeysMain.RetireKey.class}, description = "Lists, adds and retires the keys relay commands are signed with.")
public final class CommandKeysMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-portal.xml");
    }

    @Mixin
    ImsOptions options;

    @Spec
    CommandLine.Model.CommandSpec spec;

    /** The environment the settings come from; tests replace it. */
    Map<String, String> environment = System.getenv();

    public static void main(String[] args) {
        System.exit(run(new CommandKeysMain(), args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    private Path signingKeyFile() {
        ImsSettings ims = options.settings(environment);
        return PortalSettings.load(ims, environment).commandSigningKeyFile();
    }

    private static String currentId(Path signingKeyFile) {
        return Files.exists(signingKeyFile) ? CommandSigningKey.read(signingKeyFile).keyId() : null;
    }

    @Command(name = "list", description = "The keys meters trust; * marks the one the portal signs with.")
    static final class ListKeys implements Callable<Integer> {
        @CommandLine.ParentCommand
        CommandKeysMain parent;

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            Path keyFile = parent.signingKeyFile();
            Path setFile = SigningKeys.keySetBeside(keyFile);
            String current = currentId(keyFile);
            CommandKeySet set = Files.exists(setFile) ? CommandKeySet.read(setFile) : CommandKeySet.EMPTY;
            out.println("Key set " + setFile.normalize() + ":");
            set.keys().keySet().forEach(id -> out.println((id.equals(current) ? " * " : "   ") + id));
            if (current == null) {
                out.println("No signing key at " + keyFile + " yet: the portal creates it at its first start.");
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "new", description = "Creates a new signing key in FILE and lists it in the key set, without using it yet.")
    static final class NewKey implements Callable<Integer> {
        @CommandLine.ParentCommand
        CommandKeysMain parent;

        @Parameters(paramLabel = "FILE", description = "Where the new private key goes; best beside the current one.")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            if (Files.exists(file)) {
                throw new CommandLine.ParameterException(parent.spec.commandLine(), file + " exists already: choose a new file");
            }
            Path current = parent.signingKeyFile();
            Path setFile = SigningKeys.keySetBeside(current);
            CommandSigningKey key = CommandSigningKey.generate();
            key.write(file);
            CommandKeySet set = (Files.exists(setFile) ? CommandKeySet.read(setFile) : CommandKeySet.EMPTY).with(key.publicKey());
            set.write(setFile);
            out.println("New key " + key.keyId() + " in " + file + ", listed in " + setFile.normalize() + ".");
            out.println("Give that file to every meter (--command-keys), then set " + PortalSettings.COMMAND_SIGNING_KEY_FILE + "=" + file
                    + " and restart the portal.");
            out.flush();
            return 0;
        }
    }

    @Command(name = "retire", description = "Removes a key from the key set (not the one the portal signs with).")
    static final class RetireKey implements Callable<Integer> {
        @CommandLine.ParentCommand
        CommandKeysMain parent;

        @Parameters(paramLabel = "KEY_ID")
        String keyId;

        @Override
        public Integer call() {
            PrintWriter out = parent.spec.commandLine().getOut();
            Path keyFile = parent.signingKeyFile();
            Path setFile = SigningKeys.keySetBeside(keyFile);
            if (keyId.equals(currentId(keyFile))) {
                throw new CommandLine.ParameterException(parent.spec.commandLine(),
                        keyId + " is the key the portal signs with (" + keyFile + "): switch the portal to another key first");
            }
            CommandKeySet set = Files.exists(setFile) ? CommandKeySet.read(setFile) : CommandKeySet.EMPTY;
            if (!set.keys().containsKey(keyId)) {
                throw new CommandLine.ParameterException(parent.spec.commandLine(), "no key " + keyId + " in " + setFile);
            }
            set.without(keyId).write(setFile);
            out.println("Retired " + keyId + " from " + setFile.normalize() + ": give that file to every meter again.");
            out.flush();
            return 0;
        }
    }

    /** Runs it; a key file that cannot be read or written is reported in one line (exit code 1), not as a stack trace. */
    static int run(CommandKeysMain main, String... args) {
        CommandLine cl = new CommandLine(main);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CommandKeyException) {
                line.getErr().println(e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl.execute(args);
    }
}
