package dev.ims.portal.tariff;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The example the README points to must stay a valid tariff file that means what the README says. */
class TariffExampleTest {

    @Test
    void documentedExample_readsAsTwoVersions_withItsBandsAndTiers() throws Exception {
        TariffBook book = TariffCodec.readBook(Files.readAllBytes(Path.of("..", "docs", "tariff-example.json")));
        assertThat(book.versions()).hasSize(2);
        assertThat(book.versionOn(LocalDate.parse("2025-12-31")).name()).isEqualTo("Home flat 2025");
        TariffVersion v2026 = book.versionOn(LocalDate.parse("2026-11-25"));
        assertThat(v2026.bandPrice(DayOfWeek.WEDNESDAY, 18)).isEqualTo(0.42);
        assertThat(v2026.bandPrice(DayOfWeek.SATURDAY, 18)).isEqualTo(0.24);
        assertThat(v2026.bandPrice(DayOfWeek.SATURDAY, 23)).isEqualTo(0.19);
        assertThat(v2026.bandPrice(DayOfWeek.WEDNESDAY, 12)).isEqualTo(0.30);
        assertThat(v2026.tiers()).hasSize(2);
    }
}
