package dev.ims.model.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RelayCommandCodecTest {

    private static final Instant TS = Instant.parse("2026-11-29T17:00:00Z");

    private static RelayCommand decode(String json) {
        return RelayCommand.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void unsignedCommand_encodesTheV1FieldsOnly() {
        assertThat(new String(new RelayCommand("c", RelayState.OFF, TS).encode(), StandardCharsets.UTF_8))
                .isEqualTo("{\"commandId\":\"c\",\"type\":\"RELAY\",\"relay\":\"OFF\",\"ts\":\"2026-11-29T17:00:00Z\"}");
    }

    @Test
    void v1Command_decodesWithoutSignatureFields() {
        RelayCommand c = decode("{\"commandId\":\"c\",\"type\":\"RELAY\",\"relay\":\"ON\",\"ts\":\"2026-11-29T17:00:00Z\"}");
        assertThat(c).isEqualTo(new RelayCommand("c", RelayState.ON, TS));
        assertThat(c.signed()).isFalse();
    }

    @Test
    void signedCommand_roundTrips() {
        RelayCommand c = new RelayCommand("c", RelayState.ON, TS, TS.plusSeconds(300), "0123456789abcdef", "c2ln");
        assertThat(RelayCommand.decode(c.encode())).isEqualTo(c);
        assertThat(c.signed()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"expiresAt\":\"soon\"", "\"keyId\":7", "\"sig\":false"})
    void signatureFieldOfTheWrongForm_isRejected(String field) {
        assertThatThrownBy(() -> decode("{\"commandId\":\"c\",\"type\":\"RELAY\",\"relay\":\"ON\",\"ts\":\"2026-11-29T17:00:00Z\"," + field + "}"))
                .isInstanceOf(InvalidPayloadException.class)
                .satisfies(e -> assertThat(((InvalidPayloadException) e).reason()).isIn(RejectReason.INVALID_TIMESTAMP, RejectReason.WRONG_TYPE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"commandId", "relay", "ts", "type"})
    void commandMissingARequiredField_isRejected(String missing) {
        String json = "{\"commandId\":\"c\",\"type\":\"RELAY\",\"relay\":\"ON\",\"ts\":\"2026-11-29T17:00:00Z\"}"
                .replaceFirst("\"" + missing + "\":\"[^\"]*\",?", "").replace(",}", "}");
        assertThatThrownBy(() -> decode(json)).isInstanceOf(InvalidPayloadException.class)
                .satisfies(e -> assertThat(((InvalidPayloadException) e).reason()).isEqualTo(RejectReason.MISSING_FIELD));
    }
}
