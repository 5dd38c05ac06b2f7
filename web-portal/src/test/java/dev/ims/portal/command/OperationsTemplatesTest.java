package dev.ims.portal.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.web.Templates;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bulk pages' markup from the portal's own template engine, and the meter page (whose relay section changed) parsing. */
class OperationsTemplatesTest {

    static Map<String, Object> layout(String user) {
        Map<String, Object> m = new HashMap<>();
        m.put("user", Map.of("name", user, "staff", true));
        m.put("csrf", "token-123");
        m.put("zone", "Europe/Berlin");
        return m;
    }

    @Test
    void meterPage_parses() throws Exception {
        freemarker.template.Configuration c = new freemarker.template.Configuration(freemarker.template.Configuration.VERSION_2_3_34);
        c.setClassForTemplateLoading(Templates.class, "/templates");
        c.setRecognizeStandardFileExtensions(true);
        assertThat(c.getTemplate("meter.ftlh")).isNotNull();
    }

    @Test
    void bulkPage_offersApproveToOthers_andOnlyWithdrawToTheRequester() {
        Map<String, Object> waiting = new HashMap<>(Map.of("commandId", "c0ffee00-0000-0000-0000-000000000001", "meterId", "m-1",
                "requestedAt", "2026-11-30T08:00:00Z", "requestedBy", "carol", "relay", "OFF", "reason", "storm", "expiresAt", "2026-12-01T08:00:00Z"));
        Map<String, Object> model = layout("bob");
        model.put("awaiting", List.of(waiting));
        model.put("bulks", List.of(Map.of("_id", "b-1", "requestedAt", "2026-11-30T08:00:00Z", "relay", "OFF", "requestedBy", "carol",
                "reason", "storm", "released", 3, "state", "DONE")));
        model.put("maxMeters", 1000);
        String html = new Templates().render("bulk.ftlh", model);
        assertThat(html).contains("action=\"/staff/commands/c0ffee00-0000-0000-0000-000000000001/approve\"").contains("href=\"/staff/bulk/b-1\"")
                .contains("name=\"csrf\" value=\"token-123\"");
        model.putAll(layout("carol"));
        String own = new Templates().render("bulk.ftlh", model);
        assertThat(own).doesNotContain("/approve\"").contains("/reject\"").contains("Withdraw");
    }

    @Test
    void resultPage_showsAnInterruptedBulk_withWhatWasNotReleased() {
        Map<String, Object> bulk = new HashMap<>();
        bulk.put("relay", "OFF");
        bulk.put("requestedBy", "carol");
        bulk.put("requestedAt", "2026-11-30T08:00:00Z");
        bulk.put("reason", "storm");
        bulk.put("state", "INTERRUPTED");
        bulk.put("released", 3);
        bulk.put("total", 7);
        bulk.put("perSecond", 20);
        bulk.put("notReleased", 4L);
        bulk.put("awaitingApproval", 0);
        bulk.put("refused", List.of(Map.of("meterId", "m-9", "error", "no meter m-9")));
        bulk.put("commands", List.of(new HashMap<>(Map.of("commandId", "c-1", "meterId", "m-1", "state", "HELD"))));
        Map<String, Object> model = layout("carol");
        model.put("bulk", bulk);
        model.put("refresh", 0);
        String html = new Templates().render("bulk-result.ftlh", model);
        assertThat(html).contains("<span id=\"bulk-state\">INTERRUPTED</span>").contains("4 command(s) were not released")
                .contains("no meter m-9").contains("state-HELD").doesNotContain("http-equiv=\"refresh\"");
    }
}
