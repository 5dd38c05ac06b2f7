package dev.ims.model.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MeterIdsTest {

    @Test
    void newIds_areValid_unique_andSortByCreationTime() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = MeterIds.newId();
            assertThat(MeterIds.isValid(id)).isTrue();
            assertThat(id).startsWith("IMS-").hasSize(30);
            seen.add(id);
        }
        assertThat(seen).hasSize(1000);
        Random random = new Random(1);
        String earlier = MeterIds.newId("IMS", Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), random);
        String later = MeterIds.newId("IMS", Clock.fixed(Instant.parse("2026-01-01T00:00:00.001Z"), ZoneOffset.UTC), random);
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void isValid_followsTheContractPattern() {
        assertThat(MeterIds.isValid("abc")).isTrue();
        assertThat(MeterIds.isValid("ab")).isFalse();
        assertThat(MeterIds.isValid("a".repeat(65))).isFalse();
        assertThat(MeterIds.isValid("a/b+c")).isFalse();
        assertThat(MeterIds.isValid(null)).isFalse();
    }
}
