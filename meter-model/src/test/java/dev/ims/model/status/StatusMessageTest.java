package dev.ims.model.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.status.SourceHealth.SourceState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusMessageTest {

    private static final Instant T = Instant.parse("2026-11-29T22:00:00Z");

    @Test
    void aSourceReportTravelsWithTheStatus_andAStatusWithoutOneStaysAsItWas() {
        SourceHealth health = new SourceHealth(T.plusSeconds(90), SourceState.SILENT, T.minusSeconds(600),
                Map.of("telegrams.valid", 1234L, "port.reopened", 2L));
        StatusMessage sent = StatusMessage.of("IMS-1", ConnectionState.ONLINE, T).withSource(health);
        StatusMessage got = StatusMessage.decode("IMS-1", sent.encode());
        assertThat(got.source()).isEqualTo(health);
        assertThat(got.extras()).isEmpty();
        assertThat(got.ts()).isEqualTo(T);

        StatusMessage plain = StatusMessage.decode("IMS-1", StatusMessage.of("IMS-1", ConnectionState.OFFLINE, T).encode());
        assertThat(plain.source()).isNull();
        assertThat(new String(StatusMessage.of("IMS-1", ConnectionState.OFFLINE, T).encode(), StandardCharsets.UTF_8)).doesNotContain("source");
    }

    @Test
    void aMalformedSourceReportRefusesTheStatus_withTheFieldNamed() {
        String[][] cases = {
                {"\"source\":42", "WRONG_TYPE", "source must be an object"},
                {"\"source\":{\"state\":\"OK\"}", "MISSING_FIELD", "source.at"},
                {"\"source\":{\"at\":\"2026-11-29T22:00:00Z\"}", "MISSING_FIELD", "source.state"},
                {"\"source\":{\"at\":\"2026-11-29T22:00:00Z\",\"state\":\"DEAD\"}", "UNKNOWN_CODE", "source.state"},
                {"\"source\":{\"at\":\"yesterday\",\"state\":\"OK\"}", "INVALID_TIMESTAMP", "source.at"},
                {"\"source\":{\"at\":\"2026-11-29T22:00:00Z\",\"state\":\"OK\",\"lastData\":7}", "WRONG_TYPE", "source.lastData"},
                {"\"source\":{\"at\":\"2026-11-29T22:00:00Z\",\"state\":\"OK\",\"counters\":{\"a\":-1}}", "WRONG_TYPE", "source.counters.a"},
                {"\"source\":{\"at\":\"2026-11-29T22:00:00Z\",\"state\":\"OK\",\"counters\":{\"a\":1.5}}", "WRONG_TYPE", "source.counters.a"},
                {"\"source\":{\"at\":\"2026-11-29T22:00:00Z\",\"state\":\"OK\",\"counters\":{\"<script>\":1}}", "OUT_OF_RANGE", "a name must match"},
                {"\"source\":{\"at\":\"2026-11-29T22:00:00Z\",\"state\":\"OK\",\"counters\":[1]}", "WRONG_TYPE", "source.counters must be an object"},
        };
        for (String[] c : cases) {
            byte[] payload = ("{\"meterId\":\"IMS-1\",\"state\":\"ONLINE\",\"ts\":\"2026-11-29T22:00:00Z\"," + c[0] + "}").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> StatusMessage.decode("IMS-1", payload)).as(c[0])
                    .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.valueOf(c[1])))
                    .hasMessageContaining(c[2]);
        }
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i <= SourceHealth.MAX_COUNTERS; i++) {
            many.append(i == 0 ? "" : ",").append("\"c").append(i).append("\":1");
        }
        byte[] tooMany = ("{\"meterId\":\"IMS-1\",\"state\":\"ONLINE\",\"ts\":\"2026-11-29T22:00:00Z\",\"source\":{\"at\":\"2026-11-29T22:00:00Z\","
                + "\"state\":\"OK\",\"counters\":" + many + "}}}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> StatusMessage.decode("IMS-1", tooMany)).hasMessageContaining("more than " + SourceHealth.MAX_COUNTERS);
    }
}
