package dev.ims.client.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.client.relay.CommandTrust;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandKeys;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.config.ImsSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meter's side of enrolment against a minimal in-test portal. */
class MeterEnrolmentTest {

    private static final String KEY = "fleet-provisioning-key-for-tests";
    private static final CommandKeySet PORTAL_KEYS = CommandKeySet.of(CommandSigningKey.generate().publicKey());

    @TempDir
    Path dir;

    FakePortal portal;

    @AfterEach
    void stop() {
        if (portal != null) {
            portal.close();
        }
    }

    private Path newStateFile() {
        Path file = dir.resolve("meter.json");
        MeterStateFile.save(file, MeterState.newMeter(0, null));
        return file;
    }

    private MeterEnrolment enrolment(String key) {
        return new MeterEnrolment(EnrolmentSettings.of(portal.url(), key).withRetry(Duration.ofSeconds(10), Duration.ofMillis(50)));
    }

    @Test
    void aNewMeter_isEnrolled_itsKeySetSavedBesideTheStateFile_andItsSecretKept() throws Exception {
        portal = new FakePortal(FakePortal.enrolled(201, PORTAL_KEYS));
        Path file = newStateFile();
        MeterState state = MeterStateFile.load(file);

        MeterEnrolment.Outcome outcome = enrolment(KEY).enrol(file, state);

        assertThat(outcome.status()).isEqualTo(MeterEnrolment.Status.ENROLLED);
        assertThat(portal.requests).singleElement().satisfies(r -> {
            assertThat(r.authorization()).isEqualTo("Bearer " + KEY);
            assertThat(r.body().path("meterId").asText()).isEqualTo(state.meterId());
            assertThat(r.secret()).isEqualTo(state.brokerSecret());
            assertThat(r.body().path("claimVerifier").asText()).isEqualTo(state.claimVerifier());
        });
        Path keys = dir.resolve("meter.json" + MeterEnrolment.COMMAND_KEYS_SUFFIX);
        assertThat(MeterEnrolment.commandKeysFile(file)).isEqualTo(keys);
        assertThat(CommandKeySet.read(keys).keys()).isEqualTo(PORTAL_KEYS.keys());
        assertThat(MeterStateFile.load(file).brokerSecret()).isEqualTo(state.brokerSecret());
        assertThat(MeterEnrolment.enrolled(file)).isTrue();
    }

    @Test
    void aLostAnswer_isAskedAgain_withTheSameSecret() throws Exception {
        portal = new FakePortal(FakePortal.enrolled(200, PORTAL_KEYS)).then(FakePortal.LOST);
        Path file = newStateFile();

        MeterEnrolment.Outcome outcome = enrolment(KEY).enrol(file, MeterStateFile.load(file));

        assertThat(outcome.status()).isEqualTo(MeterEnrolment.Status.CONFIRMED);
        assertThat(portal.requests).hasSize(2);
        assertThat(portal.requests.get(1).secret()).isEqualTo(portal.requests.get(0).secret())
                .isEqualTo(MeterStateFile.load(file).brokerSecret());
        assertThat(MeterEnrolment.commandKeysFile(file)).exists();
    }

    @Test
    void anAnswerLostAtTheLastTry_theNextStartSendsTheSameSecret_fromTheStateFile() throws Exception {
        portal = new FakePortal(FakePortal.enrolled(200, PORTAL_KEYS)).then(FakePortal.LOST);
        Path file = dir.resolve("old.json");
        // A state file from before identities: the secret is generated now and must be on disk before it is sent.
        MeterState old = MeterState.newMeter(0, null);
        MeterState withoutSecret = new MeterState(old.meterId(), old.claimCode(), old.claimVerifier(), 0, 0, null, old.relay(), old.baseLoadW(),
                old.seed(), null);
        MeterStateFile.save(file, withoutSecret);
        MeterEnrolment noRetry = new MeterEnrolment(EnrolmentSettings.of(portal.url(), KEY).withRetry(Duration.ZERO, Duration.ofMillis(50)));

        assertThatThrownBy(() -> noRetry.enrol(file, MeterStateFile.load(file).withBrokerSecret()))
                .isInstanceOf(EnrolmentRefusedException.class).hasMessageContaining("did not answer");
        String sent = portal.requests.get(0).secret();
        assertThat(MeterStateFile.load(file).brokerSecret()).as("saved before it was sent").isEqualTo(sent);

        noRetry.enrol(file, MeterStateFile.load(file).withBrokerSecret());
        assertThat(portal.requests.get(1).secret()).isEqualTo(sent);
    }

    @Test
    void aMeterEnrolledWithAnotherSecret_cannotRun_andIsToldWhatToDo() throws Exception {
        portal = new FakePortal(FakePortal.error(409, "conflict", "meter enrolled with another secret"));
        Path file = newStateFile();
        assertThatThrownBy(() -> enrolment(KEY).enrol(file, MeterStateFile.load(file)))
                .isInstanceOfSatisfying(EnrolmentRefusedException.class, e -> assertThat(e.reason()).isEqualTo(EnrolmentException.Reason.CONFLICT))
                .hasMessageContaining("cannot run").hasMessageContaining("another broker secret").hasMessageContaining("original state file")
                .hasMessageContaining("409");
        assertThat(MeterEnrolment.enrolled(file)).isFalse();
    }

    @Test
    void aDecommissionedMeter_cannotRun_evenWhenItWasEnrolledBefore() throws Exception {
        portal = new FakePortal(FakePortal.error(410, "gone", "decommissioned"));
        Path file = newStateFile();
        Files.writeString(MeterEnrolment.commandKeysFile(file), "{\"keys\":[]}");
        assertThatThrownBy(() -> enrolment(KEY).enrol(file, MeterStateFile.load(file)))
                .isInstanceOfSatisfying(EnrolmentRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(EnrolmentException.Reason.DECOMMISSIONED))
                .hasMessageContaining("decommissioned").hasMessageContaining("new meter");
    }

    @Test
    void aWrongProvisioningKey_isRefused_withAMessageNamingWhereTheKeyComesFrom_butNotTheKey() throws Exception {
        portal = new FakePortal(FakePortal.error(401, "unauthorized", "wrong provisioning key"));
        Path file = newStateFile();
        assertThatThrownBy(() -> enrolment("not-the-key").enrol(file, MeterStateFile.load(file)))
                .isInstanceOfSatisfying(EnrolmentRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(EnrolmentException.Reason.UNAUTHORIZED))
                .hasMessageContaining("provisioning key").hasMessageContaining(EnrolmentSettings.IMS_PROVISIONING_KEY)
                .hasMessageNotContaining("not-the-key");
        assertThat(portal.requests).hasSize(1);
    }

    @Test
    void aMeterEnrolledBefore_keepsItsSavedKeySet_whenThePortalIsUnreachable() throws Exception {
        portal = new FakePortal(FakePortal.enrolled(201, PORTAL_KEYS));
        Path file = newStateFile();
        enrolment(KEY).enrol(file, MeterStateFile.load(file));
        URI gone = portal.url();
        portal.close();
        portal = null;

        MeterEnrolment.Outcome outcome = new MeterEnrolment(EnrolmentSettings.of(gone, KEY).withRetry(Duration.ofSeconds(30), Duration.ofMillis(50)))
                .enrol(file, MeterStateFile.load(file));

        assertThat(outcome.status()).isEqualTo(MeterEnrolment.Status.KEPT);
        assertThat(CommandKeySet.read(MeterEnrolment.commandKeysFile(file)).keys()).isEqualTo(PORTAL_KEYS.keys());
    }

    @Test
    void withoutAKey_nothingIsSent_andTheMeterIsNotEnrolled() throws Exception {
        portal = new FakePortal(FakePortal.enrolled(201, PORTAL_KEYS));
        Path file = newStateFile();
        MeterEnrolment.Outcome outcome = enrolment(null).enrol(file, MeterStateFile.load(file));
        assertThat(outcome.status()).isEqualTo(MeterEnrolment.Status.NOT_ENROLLED);
        assertThat(portal.requests).isEmpty();
    }

    @Test
    void anExplicitKeySetFile_wins_overTheEnrolledOne_whichWinsOverTheDefault() throws Exception {
        ImsSettings settings = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of());
        Path file = newStateFile();
        assertThat(CommandTrust.keySetFile(null, file, settings)).isEqualTo(CommandKeys.defaultKeySetFile(dir));

        portal = new FakePortal(FakePortal.enrolled(201, PORTAL_KEYS));
        enrolment(KEY).enrol(file, MeterStateFile.load(file));
        assertThat(CommandTrust.keySetFile(null, file, settings)).isEqualTo(MeterEnrolment.commandKeysFile(file));

        Path explicit = dir.resolve("operator-keys.json");
        assertThat(CommandTrust.keySetFile(explicit, file, settings)).isEqualTo(explicit);
    }
}
