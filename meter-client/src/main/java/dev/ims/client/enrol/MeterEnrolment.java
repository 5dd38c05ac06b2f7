package dev.ims.client.enrol;

import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.command.CommandKeyException;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every meter does before it connects: enrol with the portal when a provisioning key is available.
 *
 * <p>Contract:
 * <ul>
 *   <li>The state file holds the broker secret BEFORE the request is sent (saved here when it does not): a lost
 *       answer is simply asked again with the same secret, at once or at the next start.</li>
 *   <li>On 201/200 the portal's command key set is written beside the state file ({@link #commandKeysFile}); it is
 *       the meter's trusted key set unless an explicit {@code --command-keys} is given
 *       ({@link dev.ims.client.relay.CommandTrust#keySetFile(Path, Path, dev.ims.model.config.ImsSettings)}). That file
 *       is also the sign that the meter was enrolled.</li>
 *   <li>With a key the meter enrols at every start (idempotent; it refreshes the key set, so a rotated portal key
 *       reaches the meter at its next start).</li>
 *   <li>409 (enrolled with another secret) and 410 (decommissioned): the meter cannot run,
 *       {@link EnrolmentRefusedException}.</li>
 *   <li>A meter never enrolled: a wrong key (401), an invalid request (400) or any unexpected answer is an
 *       {@link EnrolmentRefusedException}; an unreachable portal (or its 5xx) is asked again with backoff until
 *       {@link EnrolmentSettings#retryFor()} has passed, then it is one too.</li>
 *   <li>A meter enrolled before keeps its saved key set when the portal is unreachable or refuses the key (one
 *       attempt, a WARN/ERROR line): a power cut must not take a working meter off the grid.</li>
 *   <li>No key: no request. A meter never enrolled connects anyway (an operator may have registered it); the caller
 *       logs that once ({@link #logNotEnrolled}).</li>
 * </ul>
 * Thread-safe: a fleet enrols its members in parallel with one instance.
 */
public final class MeterEnrolment {

    private static final Logger LOG = LoggerFactory.getLogger(MeterEnrolment.class);
    /** The suffix of the key-set file beside a state file: {@code <state file>.command-keys.json}. */
    public static final String COMMAND_KEYS_SUFFIX = ".command-keys.json";

    /** How a meter's enrolment ended, when it may run. */
    public enum Status {
        /** Enrolled by this request (201). */
        ENROLLED,
        /** Was enrolled with this secret already (200); the key set was refreshed. */
        CONFIRMED,
        /** Enrolled before; the portal could not confirm it now, so the saved key set stays. */
        KEPT,
        /** No provisioning key; enrolled before (its saved key set stays). */
        NO_KEY,
        /** No provisioning key and never enrolled: connects anyway, the broker decides. */
        NOT_ENROLLED
    }

    /** @param detail why, for a {@link Status#KEPT} (the portal's error); else null */
    public record Outcome(String meterId, Status status, String detail) {}

    private final EnrolmentSettings settings;
    private final EnrolmentClient client;

    public MeterEnrolment(EnrolmentSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.client = new EnrolmentClient(settings.portalUrl());
    }

    public EnrolmentSettings settings() {
        return settings;
    }

    /** The portal's key set as delivered to this meter: {@code <state file>.command-keys.json}. */
    public static Path commandKeysFile(Path stateFile) {
        return stateFile.resolveSibling(stateFile.getFileName() + COMMAND_KEYS_SUFFIX);
    }

    /** Whether the meter of this state file was enrolled by the procedure once (its key set is beside it). */
    public static boolean enrolled(Path stateFile) {
        return Files.exists(commandKeysFile(stateFile));
    }

    /** Enrols one meter, retrying an unreachable portal for {@link EnrolmentSettings#retryFor()} from now. */
    public Outcome enrol(Path stateFile, MeterState state) {
        return enrol(stateFile, state, Instant.now().plus(settings.retryFor()));
    }

    /**
     * Enrols one meter; a meter never enrolled retries an unreachable portal until {@code deadline} (shared by a fleet).
     *
     * @throws EnrolmentRefusedException when the meter cannot run (see the class contract)
     * @throws UncheckedIOException when the state file or the key set cannot be saved
     */
    public Outcome enrol(Path stateFile, MeterState state, Instant deadline) {
        boolean before = enrolled(stateFile);
        if (!settings.hasKey()) {
            return new Outcome(state.meterId(), before ? Status.NO_KEY : Status.NOT_ENROLLED, null);
        }
        saveSecretFirst(stateFile, state);
        Duration pause = settings.firstRetry();
        while (true) {
            try {
                EnrolmentClient.Enrolled e = client.enrol(settings.provisioningKey(), state.meterId(), state.brokerSecret(), state.claimVerifier());
                int keys = saveKeys(stateFile, e);
                LOG.info("Meter {} {} at {}: {} command key(s) trusted, in {}", state.meterId(), e.created() ? "enrolled" : "is enrolled",
                        settings.portalUrl(), keys, commandKeysFile(stateFile).toAbsolutePath().normalize());
                return new Outcome(state.meterId(), e.created() ? Status.ENROLLED : Status.CONFIRMED, null);
            } catch (EnrolmentException e) {
                switch (e.reason()) {
                    case CONFLICT -> throw new EnrolmentRefusedException(state.meterId(), e.reason(), "Meter " + state.meterId()
                            + " cannot run: the portal has it enrolled with another broker secret, so its state file " + where(stateFile)
                            + " is not the one that was enrolled (a copy, or a lost file made again). Run the meter from its original "
                            + "state file, or start a new meter (a new state file); staff can decommission " + state.meterId()
                            + " in the portal. [" + e.getMessage() + "]", e);
                    case DECOMMISSIONED -> throw new EnrolmentRefusedException(state.meterId(), e.reason(), "Meter " + state.meterId()
                            + " cannot run: it was decommissioned in the portal and may never connect again. To use this device "
                            + "again, move its state file " + where(stateFile) + " away and start it as a new meter (new ID and "
                            + "claim code). [" + e.getMessage() + "]", e);
                    default -> {
                        // handled below
                    }
                }
                if (before) {
                    LOG.warn("Meter {} could not confirm its enrolment ({}); it runs with its saved command key set {}", state.meterId(),
                            e.getMessage(), commandKeysFile(stateFile).toAbsolutePath().normalize());
                    return new Outcome(state.meterId(), Status.KEPT, e.getMessage());
                }
                if (e.reason() == EnrolmentException.Reason.UNAUTHORIZED) {
                    throw new EnrolmentRefusedException(state.meterId(), e.reason(), "Meter " + state.meterId()
                            + " cannot enrol: the portal refused the provisioning key from " + settings.keySource()
                            + ". Give the fleet's key: " + EnrolmentSettings.IMS_PROVISIONING_KEY + ", or --provisioning-key-file FILE ("
                            + EnrolmentSettings.IMS_PROVISIONING_KEY_FILE + ", default {IMS_DATA_DIR}/"
                            + EnrolmentSettings.DEFAULT_PROVISIONING_KEY_FILE + ", which the local portal writes). [" + e.getMessage() + "]", e);
                }
                if (!e.retryable()) {
                    throw new EnrolmentRefusedException(state.meterId(), e.reason(), "Meter " + state.meterId() + " cannot enrol: "
                            + e.getMessage() + ". Check --portal-url / " + EnrolmentSettings.IMS_PORTAL_URL + " (" + settings.portalUrl() + ").", e);
                }
                if (!Instant.now().plus(pause).isBefore(deadline)) {
                    throw new EnrolmentRefusedException(state.meterId(), e.reason(), "Meter " + state.meterId()
                            + " cannot enrol: " + e.getMessage() + ", and kept not answering for " + settings.retryFor().toSeconds()
                            + " s. Start the portal, or give its address with --portal-url / " + EnrolmentSettings.IMS_PORTAL_URL
                            + ", then start the meter again (its secret is saved: it enrols the same meter).", e);
                }
                LOG.warn("Meter {} cannot enrol yet: {}; trying again in {} ms", state.meterId(), e.getMessage(), pause.toMillis());
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(EnrolmentSettings.MAX_RETRY) > 0 ? EnrolmentSettings.MAX_RETRY : pause.multipliedBy(2);
            }
        }
    }

    /**
     * One line for the meters that run without enrolment (no provisioning key, never enrolled), saying how to enrol.
     * Nothing when the list is empty.
     */
    public static void logNotEnrolled(java.util.List<String> meterIds, EnrolmentSettings settings) {
        if (meterIds.isEmpty()) {
            return;
        }
        String which = meterIds.size() == 1 ? "Meter " + meterIds.get(0) + " is" : meterIds.size() + " meters are";
        LOG.warn("{} not enrolled and no provisioning key was found ({}): connecting anyway, which the broker refuses unless an "
                + "operator registered the meter. To enrol, give the fleet's key with {} or --provisioning-key-file FILE "
                + "(default {IMS_DATA_DIR}/{}) and the portal with --portal-url ({} now)", which, settings.keySource(),
                EnrolmentSettings.IMS_PROVISIONING_KEY, EnrolmentSettings.DEFAULT_PROVISIONING_KEY_FILE, settings.portalUrl());
    }

    /** The secret is on disk before it is ever sent: a crash after the request cannot lose the enrolled secret. */
    private static void saveSecretFirst(Path stateFile, MeterState state) {
        if (state.brokerSecret() == null) {
            throw new IllegalStateException("meter " + state.meterId() + " has no broker secret (MeterState.withBrokerSecret)");
        }
        if (!Files.exists(stateFile) || !Objects.equals(MeterStateFile.load(stateFile).brokerSecret(), state.brokerSecret())) {
            MeterStateFile.save(stateFile, state);
        }
    }

    /** Checks the delivered key set, then writes it beside the state file atomically; answers how many keys it holds. */
    private int saveKeys(Path stateFile, EnrolmentClient.Enrolled e) throws EnrolmentException {
        Path target = commandKeysFile(stateFile);
        Path tmp = null;
        try {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, target.getFileName().toString(), ".new");
            Files.write(tmp, Json.bytes(e.commandKeys()));
            CommandKeySet keys = CommandKeySet.read(tmp);
            keys.write(target);
            if (keys.isEmpty()) {
                LOG.warn("The portal at {} delivered an empty command key set: meter {} refuses every relay command", settings.portalUrl(),
                        e.meterId());
            }
            return keys.keys().size();
        } catch (CommandKeyException ex) {
            throw new EnrolmentException(EnrolmentException.Reason.UNEXPECTED, 0,
                    "the portal at " + settings.portalUrl() + " delivered a command key set that is not one: " + ex.getMessage(), ex);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot save the command key set " + target + ": " + ex.getMessage(), ex);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a leftover temporary file of public keys: harmless
                }
            }
        }
    }

    private static String where(Path stateFile) {
        return stateFile.toAbsolutePath().normalize().toString();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to enrol", e);
        }
    }
}
