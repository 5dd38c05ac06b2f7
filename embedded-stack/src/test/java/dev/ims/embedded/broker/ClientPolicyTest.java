package dev.ims.embedded.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.embedded.testing.BrokerIdentities;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientPolicyTest {

    private static final BrokerIdentities IDENTITIES = new BrokerIdentities();

    static {
        IDENTITIES.ingest("ims-ingest-local");
        IDENTITIES.ingest("ims-ingest-host-1");
        IDENTITIES.portal("ims-portal");
        IDENTITIES.meter("IMS-01JD3T9K2Q");
    }

    private final ClientPolicy policy = ClientPolicy.of(EmbeddedBrokerOptions.of(0, Path.of("unused")).withSecurity(IDENTITIES.security()));

    @ParameterizedTest
    @CsvSource({
            "ims-ingest-local, 604800, 604800",
            "ims-ingest-host-1, 4294967295, 4294967295",
            "IMS-01JD3T9K2Q, 604800, 3600",
            "IMS-01JD3T9K2Q, 4294967295, 3600",
            "IMS-01JD3T9K2Q, 600, 600",
            "IMS-01JD3T9K2Q, 0, 0",
            "ims-portal, 604800, 3600",
            "ims-ingest-unknown, 604800, 3600",
            "x-ims-ingest, 604800, 3600",
            "ims-ingesT, 604800, 3600"})
    void sessionExpiry_isCappedForEveryClientButAnIngestIdentity(String clientId, long requested, long granted) {
        assertThat(policy.sessionExpiry(clientId, requested)).isEqualTo(granted);
    }

    @Test
    void queueLimit_isTheBrokersForAnIngestIdentity_andTheCapForAnyoneElse() {
        assertThat(policy.queueLimit("ims-ingest-local")).isEmpty();
        assertThat(policy.queueLimit("IMS-01JD3T9K2Q")).isEqualTo(OptionalLong.of(EmbeddedBrokerOptions.DEFAULT_MAX_CLIENT_QUEUE));
        assertThat(policy.queueLimit("ims-portal")).isEqualTo(OptionalLong.of(EmbeddedBrokerOptions.DEFAULT_MAX_CLIENT_QUEUE));
        assertThat(policy.queueLimit("")).isEqualTo(OptionalLong.of(EmbeddedBrokerOptions.DEFAULT_MAX_CLIENT_QUEUE));
        assertThat(policy.queueLimit(null)).isEqualTo(OptionalLong.of(EmbeddedBrokerOptions.DEFAULT_MAX_CLIENT_QUEUE));
    }

    @Test
    void anIngestIdentityAddedLater_getsTheIngestsLimits_andAMeterNamedLikeAnIngest_doesNot() {
        BrokerIdentities identities = new BrokerIdentities();
        identities.meter("plant-7-ingest-a");
        ClientPolicy p = ClientPolicy.of(EmbeddedBrokerOptions.of(0, Path.of("unused")).withSecurity(identities.security())
                .withMaxSessionExpiry(Duration.ofMinutes(5)));
        assertThat(p.sessionExpiry("plant-7-ingest-a", 86_400)).as("a meter, whatever its name").isEqualTo(300);
        identities.ingest("ims-ingest-b");
        assertThat(p.sessionExpiry("ims-ingest-b", 86_400)).isEqualTo(86_400);
    }

    @Test
    void byDefault_nobodyIsTheIngest() {
        ClientPolicy p = ClientPolicy.of(EmbeddedBrokerOptions.of(0, Path.of("unused")));
        assertThat(p.sessionExpiry("ims-ingest-local", 86_400)).isEqualTo(EmbeddedBrokerOptions.DEFAULT_MAX_SESSION_EXPIRY.toSeconds());
    }

    @Test
    void options_refuseLimitsThatWouldDisableThePolicy() {
        EmbeddedBrokerOptions o = EmbeddedBrokerOptions.of(0, Path.of("unused"));
        assertThatThrownBy(() -> o.withSecurity(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> o.withMaxClientQueue(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withMaxSessionExpiry(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> o.withMaxPacketSize(100)).isInstanceOf(IllegalArgumentException.class);
    }
}
