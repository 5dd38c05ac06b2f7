package dev.ims.portal.web;

import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/** Renders a page with what the layout needs: the signed-in user, the form CSRF token, the site name. */
public final class Pages {

    /**
     * Who is signed in, as the layout shows them.
     *
     * @param csrf the token the page's forms carry
     */
    public record User(String name, boolean staff, String csrf) {}

    private final Templates templates;
    private final String zone;
    private final Function<RoutingContext, User> user;

    /** @param user the signed-in user of a request, or null for none (the account package's sessions supply it) */
    public Pages(Templates templates, String zone, Function<RoutingContext, User> user) {
        this.templates = templates;
        this.zone = zone;
        this.user = user;
    }

    /** Renders with the signed-in user's CSRF token. */
    public void render(RoutingContext ctx, String template, Map<String, ?> model) {
        User u = user.apply(ctx);
        render(ctx, template, model, u == null ? "" : u.csrf());
    }

    public void render(RoutingContext ctx, String template, Map<String, ?> model, String csrf) {
        Map<String, Object> all = new HashMap<>(model);
        User u = user.apply(ctx);
        if (u != null) {
            all.put("user", Map.of("name", u.name(), "staff", u.staff()));
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
