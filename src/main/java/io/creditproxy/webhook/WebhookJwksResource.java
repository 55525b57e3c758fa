package io.creditproxy.webhook;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The public keys of the proxy's tenant webhooks, in fal's JWKS format at fal's path, so that fal's verification code
 * works with the host changed: {@code GET /.well-known/jwks.json}. Public, no key needed.
 */
@Path("/.well-known")
public class WebhookJwksResource {

    private final WebhookSigningKeys keys;

    public WebhookJwksResource(WebhookSigningKeys keys) {
        this.keys = keys;
    }

    @GET
    @Path("jwks.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response jwks() {
        CacheControl cache = new CacheControl();
        cache.setMaxAge(300);
        return Response.ok(keys.jwks()).cacheControl(cache).build();
    }
}
