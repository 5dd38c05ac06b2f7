package dev.ims.portal.advice;

import dev.ims.portal.meter.MeterRoutes;
import dev.ims.portal.web.Responses;
import io.vertx.ext.web.Router;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/meters/{id}/advice}: the dashboard's suggestions as JSON,
 * {@code {currency, notEnoughData, suggestions:[{kind,title,evidence,kwhPerYear,moneyPerYear,currency, circuit?, circuitName?,
 * schedule?, peakKwhPerMonth?, estimatedSavingPerMonth?, predictedDay?, predictedDayKwh?, predictedDayCostBefore?,
 * predictedDayCostAfter?, predictedDaySaving?}]}}; the circuit fields when a load-shift suggestion names the
 * circuit behind it and offers its schedule preset ({@code PUT .../circuits/{circuit}/schedule} with that preset and
 * {@code "fromAdvice":true} accepts it). Who may see the meter may see its advice.
 */
public final class AdviceRoutes {

    private final AdviceService advice;
    private final MeterRoutes meters;
    private final Supplier<LocalDate> today;

    public AdviceRoutes(AdviceService advice, MeterRoutes meters, Supplier<LocalDate> today) {
        this.advice = advice;
        this.meters = meters;
        this.today = today;
    }

    public void register(Router router) {
        router.get("/api/v1/meters/:id/advice").handler(ctx -> meters.meter(ctx).compose(m -> advice.advise(m, today.get()))
                .onSuccess(r -> Responses.json(ctx, view(r))).onFailure(ctx::fail));
    }

    static Map<String, Object> view(AdviceService.Result r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("currency", r.currency());
        out.put("notEnoughData", r.notEnoughData());
        List<Map<String, Object>> list = r.suggestions().stream().map(AdviceRoutes::view).toList();
        out.put("suggestions", list);
        return out;
    }

    private static Map<String, Object> view(Suggestion s) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("kind", s.kind());
        v.put("title", s.title());
        v.put("evidence", s.evidence());
        v.put("kwhPerYear", s.kwhPerYear());
        v.put("moneyPerYear", s.moneyPerYear());
        v.put("currency", s.currency());
        Suggestion.Action a = s.action();
        if (a != null) {
            v.put("circuit", a.circuit());
            v.put("circuitName", a.circuitName());
            v.put("schedule", a.preset());
            v.put("peakKwhPerMonth", a.peakKwhPerMonth());
            v.put("estimatedSavingPerMonth", a.estimatedSavingPerMonth());
            Suggestion.DayPrediction d = a.lastDay();
            if (d != null) {
                v.put("predictedDay", d.day().toString());
                v.put("predictedDayKwh", d.kwh());
                v.put("predictedDayCostBefore", d.cost());
                v.put("predictedDayCostAfter", d.costInPresetHours());
                v.put("predictedDaySaving", d.saving());
            }
        }
        return v;
    }
}
