package dev.ims.portal.tariff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TariffBookTest {

    private static TariffVersion flat(String from, double price) {
        return TariffVersion.flat(LocalDate.parse(from), "EUR", price);
    }

    private static final TariffBook BOOK =
            new TariffBook(List.of(flat("2026-07-01", 0.35), flat("2026-01-01", 0.30), flat("2026-04-01", 0.32)));

    @Test
    void versions_areSortedByValidFrom() {
        assertThat(BOOK.versions()).extracting(v -> v.validFrom().toString())
                .containsExactly("2026-01-01", "2026-04-01", "2026-07-01");
        assertThatThrownBy(() -> BOOK.versions().add(flat("2027-01-01", 0.4)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @ParameterizedTest(name = "{0} → version of {1}")
    @CsvSource({
        "2025-06-30, 2026-01-01", // before every version: the earliest
        "2026-01-01, 2026-01-01",
        "2026-03-31, 2026-01-01", // the day before a switch: still the old version
        "2026-04-01, 2026-04-01", // the switch day: the new version
        "2026-06-30, 2026-04-01",
        "2026-07-01, 2026-07-01",
        "2030-01-01, 2026-07-01", // after the last: the last
    })
    void versionOn_isLatestVersionValidOnTheDay(String day, String validFrom) {
        assertThat(BOOK.versionOn(LocalDate.parse(day)).validFrom()).isEqualTo(validFrom);
        assertThat(BOOK.current(LocalDate.parse(day)).validFrom()).isEqualTo(validFrom);
    }

    @Test
    void emptyOrMissingList_isRefused() {
        assertThatThrownBy(() -> new TariffBook(List.of())).isInstanceOf(TariffException.class);
        assertThatThrownBy(() -> new TariffBook(null)).isInstanceOf(TariffException.class);
    }

    @Test
    void duplicateValidFrom_isRefused() {
        assertThatThrownBy(() -> new TariffBook(List.of(flat("2026-01-01", 0.30), flat("2026-01-01", 0.31))))
                .isInstanceOf(TariffException.class)
                .hasMessageContaining("2026-01-01");
    }

    @Test
    void constructor_copiesItsList() {
        List<TariffVersion> list = new ArrayList<>(List.of(flat("2026-01-01", 0.30)));
        TariffBook book = new TariffBook(list);
        list.add(flat("2026-02-01", 0.31));

        assertThat(book.versions()).hasSize(1);
    }

    @Test
    void with_sameValidFrom_replacesThatVersionOnly() {
        TariffBook corrected = BOOK.with(flat("2026-04-01", 0.29));

        assertThat(corrected.versions()).extracting(TariffVersion::pricePerKwh).containsExactly(0.30, 0.29, 0.35);
        assertThat(BOOK.versions()).extracting(TariffVersion::pricePerKwh).containsExactly(0.30, 0.32, 0.35);
    }

    @Test
    void with_newValidFrom_addsAVersionInOrder() {
        TariffBook extended = BOOK.with(flat("2026-05-15", 0.33));

        assertThat(extended.versions()).extracting(TariffVersion::pricePerKwh).containsExactly(0.30, 0.32, 0.33, 0.35);
        assertThat(extended.versionOn(LocalDate.parse("2026-05-14")).pricePerKwh()).isEqualTo(0.32);
        assertThat(extended.versionOn(LocalDate.parse("2026-05-15")).pricePerKwh()).isEqualTo(0.33);
        assertThat(BOOK.versions()).hasSize(3);
    }

    @Test
    void books_withEqualVersions_areEqual() {
        TariffBook same = new TariffBook(List.of(flat("2026-01-01", 0.30), flat("2026-04-01", 0.32), flat("2026-07-01", 0.35)));

        assertThat(same).isEqualTo(BOOK).hasSameHashCodeAs(BOOK);
        assertThat(BOOK.with(flat("2026-04-01", 0.29))).isNotEqualTo(BOOK);
    }
}
