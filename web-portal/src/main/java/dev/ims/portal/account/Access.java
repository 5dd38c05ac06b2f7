package dev.ims.portal.account;

import dev.ims.portal.web.HttpError;
import io.vertx.ext.web.RoutingContext;

/** The principal of a request, as the authentication handler left it. */
public final class Access {

    static final String KEY = "ims.principal";

    private Access() {}

    /** The signed-in principal; a 401 when there is none (the authentication handler prevents that). */
    public static Principal principal(RoutingContext ctx) {
        Principal p = ctx.get(KEY);
        if (p == null) {
            throw new HttpError(401, "sign in first");
        }
        return p;
    }

    /** The principal, or null on public pages visited without signing in. */
    public static Principal optional(RoutingContext ctx) {
        return ctx.get(KEY);
    }

    /** The signed-in user as the page layout shows them ({@link dev.ims.portal.web.Pages}), or null when nobody is. */
    public static dev.ims.portal.web.Pages.User pageUser(RoutingContext ctx) {
        Principal p = optional(ctx);
        return p == null ? null : new dev.ims.portal.web.Pages.User(p.username(), p.isStaff(), p.csrf());
    }

    /** The principal when it is staff, else a 403. */
    public static Principal staff(RoutingContext ctx) {
        Principal p = principal(ctx);
        if (!p.isStaff()) {
            throw new HttpError(403, "staff only");
        }
        return p;
    }
}
