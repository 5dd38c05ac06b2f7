package dev.ims.portal.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.portal.web.HttpError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FleetQueryTest {

    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    static FleetEntry meter(String id, String owner, String connection, Duration seenAgo, Double powerW, String relay, String status,
            String fault, boolean decommissioned) {
        return new FleetEntry(id, owner, connection, null, seenAgo == null ? null : NOW.minus(seenAgo), powerW, powerW == null ? null : 100.0,
                relay, status, fault, decommissioned ? NOW.minusSeconds(3600) : null, false, null);
    }

    static final List<FleetEntry> FLEET = List.of(
            meter("m-01", "alice", "ONLINE", Duration.ofMinutes(1), 500.0, "ON", "OK", null, false),
            meter("m-02", "bob", "OFFLINE", Duration.ofHours(2), 0.0, "ON", "OK", null, false),
            meter("m-03", null, "ONLINE", Duration.ofMinutes(20), 300.0, "ON", "OK", null, false),
            meter("m-04", "Alice2", "ONLINE", Duration.ofMinutes(2), 1200.0, "OFF", "FAULT", "TAMPER", false),
            meter("m-05", null, "UNKNOWN", null, null, null, null, null, false),
            meter("m-06", "carol", "ONLINE", Duration.ofMinutes(3), 50.0, "ON", "FAULT", "OVERVOLTAGE", true));

    private static FleetQuery parse(Map<String, String> one, List<String> states) {
        return FleetQuery.parse(one::get, n -> n.equals("state") ? states : List.of());
    }

    private static List<String> ids(FleetPage p) {
        return p.items().stream().map(FleetEntry::meterId).toList();
    }

    @Test
    void eachMeter_isInExactlyOneConnectionState_andCountsAddUpToTheFleet() {
        FleetPage p = FleetQuery.first().answer(FLEET, NOW);
        assertThat(p.counts()).containsEntry("online", 2L).containsEntry("offline", 1L).containsEntry("silent", 1L)
                .containsEntry("unknown", 1L).containsEntry("decommissioned", 1L).containsEntry("fault", 1L).containsEntry("tamper", 1L)
                .containsEntry("supplyOff", 1L);
        long connection = p.counts().get("online") + p.counts().get("offline") + p.counts().get("silent") + p.counts().get("unknown")
                + p.counts().get("decommissioned");
        assertThat(connection).isEqualTo(p.total()).isEqualTo(FLEET.size());
    }

    @Test
    void aDecommissionedMeter_isInNoCondition_evenWithAFaultInItsLastReading() {
        assertThat(FLEET.get(5).states(NOW)).containsExactly(FleetState.DECOMMISSIONED);
    }

    @Test
    void silence_isDerivedAtQueryTime_fromLastSeen() {
        FleetEntry e = FLEET.get(0);
        assertThat(e.connectionState(NOW)).isEqualTo(FleetState.ONLINE);
        assertThat(e.connectionState(NOW.plus(Duration.ofMinutes(15)))).isEqualTo(FleetState.SILENT);
    }

    @Test
    void search_findsMeterIdOrOwner_ignoringCase() {
        assertThat(ids(parse(Map.of("q", "ALICE"), List.of()).answer(FLEET, NOW))).containsExactly("m-01", "m-04");
        assertThat(ids(parse(Map.of("q", "m-0"), List.of()).answer(FLEET, NOW))).hasSize(6);
        assertThat(ids(parse(Map.of("q", "nobody"), List.of()).answer(FLEET, NOW))).isEmpty();
    }

    @Test
    void severalStates_matchAMeterInAnyOfThem_repeatedOrCommaSeparated() {
        assertThat(ids(parse(Map.of(), List.of("offline", "silent")).answer(FLEET, NOW))).containsExactly("m-02", "m-03");
        assertThat(ids(parse(Map.of(), List.of("offline,tamper")).answer(FLEET, NOW))).containsExactly("m-02", "m-04");
        assertThat(ids(parse(Map.of(), List.of("supplyOff")).answer(FLEET, NOW))).containsExactly("m-04");
    }

    @Test
    void sortByPower_descendingByDefault_withMetersWithoutPowerLast_inEitherOrder() {
        assertThat(ids(parse(Map.of("sort", "powerW"), List.of()).answer(FLEET, NOW))).containsExactly("m-04", "m-01", "m-03", "m-06", "m-02", "m-05");
        assertThat(ids(parse(Map.of("sort", "powerW", "order", "asc"), List.of()).answer(FLEET, NOW)))
                .containsExactly("m-02", "m-06", "m-03", "m-01", "m-04", "m-05");
    }

    @Test
    void sortByState_groupsConnectionStates_thenMeterId() {
        assertThat(ids(parse(Map.of("sort", "state"), List.of()).answer(FLEET, NOW))).containsExactly("m-01", "m-04", "m-02", "m-03", "m-05", "m-06");
    }

    @Test
    void pages_splitTheMatchedMeters_andAPageBeyondTheEndIsEmpty() {
        List<FleetEntry> many = new ArrayList<>();
        for (int i = 0; i < 205; i++) {
            many.add(meter(String.format("z-%03d", i), null, "ONLINE", Duration.ofMinutes(1), (double) i, "ON", "OK", null, false));
        }
        FleetPage last = parse(Map.of("page", "3", "size", "100"), List.of()).answer(many, NOW);
        assertThat(last.matched()).isEqualTo(205);
        assertThat(last.pages()).isEqualTo(3);
        assertThat(ids(last)).containsExactly("z-200", "z-201", "z-202", "z-203", "z-204");
        assertThat(parse(Map.of("page", "9", "size", "100"), List.of()).answer(many, NOW).items()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "page|0|page must be a whole number",
        "page|x|page must be a whole number",
        "size|201|size must be a whole number from 1 to 200",
        "sort|owner|sort must be one of",
        "order|up|order must be asc or desc",
    })
    void badParameters_areRefusedWith400_namingTheParameter(String name, String value, String message) {
        assertThatThrownBy(() -> parse(Map.of(name, value), List.of())).isInstanceOf(HttpError.class)
                .hasMessageContaining(message).extracting(e -> ((HttpError) e).status()).isEqualTo(400);
    }

    @Test
    void anUnknownState_orAnOverlongSearch_isRefused() {
        assertThatThrownBy(() -> parse(Map.of(), List.of("online,broken"))).isInstanceOf(HttpError.class).hasMessageContaining("'broken'");
        assertThatThrownBy(() -> parse(Map.of("q", "x".repeat(65)), List.of())).isInstanceOf(HttpError.class).hasMessageContaining("q must be");
    }

    @Test
    void theQueryString_keepsSearchStatesAndSort_forTheNextPage() {
        FleetQuery q = parse(Map.of("q", "Al ice", "sort", "lastSeen", "size", "20"), List.of("tamper", "offline"));
        assertThat(q.queryString(2)).isEqualTo("page=2&size=20&q=al+ice&state=offline&state=tamper&sort=lastSeen&order=desc");
        assertThat(q.states()).isEqualTo(Set.of(FleetState.OFFLINE, FleetState.TAMPER));
    }
}
