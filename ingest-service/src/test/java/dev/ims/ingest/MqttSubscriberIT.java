package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.security.Credential;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A filter the broker refuses fails the session's start, unless it is optional: the ingest without a backlog identity
 * must still start on a broker configured before the backlog topic existed (which refuses it {@code +/backlog}).
 */
class MqttSubscriberIT {

    @BeforeAll
    static void stack() throws Exception {
        IngestIT.startStack();
    }

    /** A session whose identity may subscribe to its own command topic but not to every meter's backlog. */
    private static MqttSubscriber session(String meter, Set<String> optional) {
        ImsSettings ims = ImsSettings.load(Map.of(), Map.of()).withMqttUrl(IngestIT.broker.url());
        Credential meterIdentity = IngestIT.ids.meter(meter);
        return new MqttSubscriber(ims, MqttEndpoint.parse(IngestIT.broker.url()), meterIdentity, 10,
                List.of("meters/" + meter + "/command", "meters/+/backlog"), optional, in -> in.acknowledge().run());
    }

    @Test
    void aRefusedFilterFailsTheStart_anOptionalOneIsLeftOut() throws Exception {
        MqttSubscriber strict = session("sub-strict-1", Set.of());
        try {
            assertThatThrownBy(() -> strict.connect().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        } finally {
            strict.close();
        }
        MqttSubscriber lenient = session("sub-lenient-1", Set.of("meters/+/backlog"));
        try {
            lenient.connect().get(10, TimeUnit.SECONDS);
            assertThat(lenient.up()).isTrue();
        } finally {
            lenient.close();
        }
    }
}
