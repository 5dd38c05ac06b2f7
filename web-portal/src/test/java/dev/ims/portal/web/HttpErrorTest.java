package dev.ims.portal.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpErrorTest {

    @ParameterizedTest
    @CsvSource({
        "PT0.2S, 1, 1 second(s)",
        "PT29.1S, 30, 30 second(s)",
        "PT30S, 30, 30 second(s)",
        "PT15M, 900, 15 minute(s)",
        "PT14M0.5S, 841, 15 minute(s)",
    })
    void tooMany_roundsTheWaitUp_inTheHeaderAndTheMessage(String wait, String header, String words) {
        HttpError e = HttpError.tooMany("too many failed attempts", Duration.parse(wait));
        assertThat(e.status()).isEqualTo(429);
        assertThat(e.retryAfterSeconds()).isEqualTo(header);
        assertThat(e.getMessage()).isEqualTo("too many failed attempts; try again in " + words);
    }
}
