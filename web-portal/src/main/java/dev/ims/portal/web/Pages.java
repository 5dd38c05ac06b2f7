package dev.ims.portal.web;

import dev.ims.portal.account.Access;
import dev.ims.portal.account.Principal;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/** Renders a page with what the layout needs: the signed-in user, the form CSRF token, the site name. */
public final class Pages {

    private final Templates templates;
    private final String zone;

    public Pages(Templates templates, String zone) {
        this.templates = templates;
        this.zone = zone;
    }

    /** Renders with the signed-in principal's CSRF token. */
    public void render(RoutingContext ctx, String template, Map<String, ?> model) {
        Principal p = Access.optional(ctx);
        render(ctx, template, model, p == null ? "" : p.csrf());
    }

    public void render(RoutingContext ctx, String template, Map<String, ?> model, String csrf) {
        Map<String, Object> all = new HashMap<>(model);
        Principal p = Access.optional(ctx);
        if (p != null) {
            all.put("user", Map.of("name", p.username(), "staff", p.isStaff()));
        }
        all.put("csrf", csrf);
        all.put("zone", zone);
        String html;
        try {
            html = templates.render(template, all);
        } catch (RuntimeException e) {
            // Called from future callbacks, where a throw would be lost and the request left hanging.
            ctx.fail(e);
            return;
        }
        ctx.response().putHeader("Cache-Control", "no-store");
        Responses.html(ctx, html);
    }
}
