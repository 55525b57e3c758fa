package io.creditproxy.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every failure of a JAX-RS resource to the one error shape; never leaks class names or traces. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response r = json(e.status(), e.body());
        Object retryAfter = e.details().get("retry_after");
        // a limit's refusal says when to come back, as on the passthrough
        return e.status() == 429 && retryAfter != null
                ? Response.fromResponse(r).header("Retry-After", String.valueOf(retryAfter)).build()
                : r;
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e) {
        return json(400, ErrorBody.of("malformed_json", "The request body is not valid JSON."));
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        String message = e.getConstraintViolations().stream()
                .map(v -> lastNode(v.getPropertyPath().toString()) + " " + v.getMessage())
                .sorted()
                .collect(Collectors.joining("; "));
        return json(422, ErrorBody.of("invalid_parameter", message));
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return json(404, ErrorBody.of("not_found", "No such resource."));
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return json(405, ErrorBody.of("method_not_allowed", "Method not allowed on this resource."));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e.getCause() instanceof ApiException api) {
            // a typed parameter's converter refused the value (QueryParamConverters)
            return api(api);
        }
        int status = e.getResponse().getStatus();
        if (status == 400 && causedByJson(e)) {
            return badJson(null);
        }
        if (status >= 500) {
            LOG.error("request failed", e);
            return json(status, ErrorBody.of("internal_error", "Internal error."));
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 413 -> "body_too_large";
            case 415 -> "unsupported_media_type";
            default -> "request_refused";
        };
        String message = status == 400 ? "The request could not be read." : Response.Status.fromStatusCode(status) != null
                ? Response.Status.fromStatusCode(status).getReasonPhrase() + "."
                : "Request refused.";
        return json(status, ErrorBody.of(code, message));
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        LOG.error("unexpected failure", e);
        return json(500, ErrorBody.of("internal_error", "Internal error."));
    }

    public static Response json(int status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    private static boolean causedByJson(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof JsonProcessingException) {
                return true;
            }
        }
        return false;
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
