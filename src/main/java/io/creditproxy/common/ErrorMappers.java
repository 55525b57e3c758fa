package io.creditproxy.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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

    /**
     * Valid JSON whose value does not fit the field it is bound to ({@code {"usd_price":"NaN"}}, an array where an
     * object belongs). Declared for this exact type because quarkus-rest-jackson has a built-in mapper for it that
     * answers its own shape (Java class names included) or an empty body; the most specific mapper wins.
     */
    @ServerExceptionMapper
    public Response jsonMismatch(MismatchedInputException e) {
        return jsonShape(e, e.getTargetType());
    }

    /** Any other failure to bind valid JSON (e.g. a constructor that refused a value). */
    @ServerExceptionMapper
    public Response jsonMapping(JsonMappingException e) {
        return jsonShape(e, null);
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        List<String[]> problems = e.getConstraintViolations().stream()
                .map(v -> new String[] {lastNode(v.getPropertyPath().toString()), v.getMessage()})
                .sorted(Comparator.comparing((String[] p) -> p[0]).thenComparing(p -> p[1]))
                .toList();
        String message = problems.stream().map(p -> p[0] + " " + p[1]).collect(Collectors.joining("; "));
        // fal's 422: one {loc, msg, type} per field, as @fal-ai/client's ValidationError.fieldErrors reads them
        return json(422, ErrorBody.of("invalid_parameter", message).withDetail(
                problems.stream().map(p -> ErrorBody.validationError(p[0], p[0] + " " + p[1])).toList()));
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
        JsonProcessingException json = status == 400 ? jsonCause(e) : null;
        if (json instanceof MismatchedInputException mismatch) {
            return jsonMismatch(mismatch);
        }
        if (json instanceof JsonMappingException mapping) {
            return jsonMapping(mapping);
        }
        if (json != null) {
            return badJson(json);
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
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body.forStatus(status)).build();
    }

    /** 400 naming the field and what it must be; never Jackson's message (it names Java types). */
    private static Response jsonShape(JsonMappingException e, Class<?> target) {
        String field = fieldPath(e);
        String expected = describe(target);
        String message;
        if (field.isEmpty()) {
            message = expected == null || expected.equals("an object")
                    ? "The request body must be a JSON object." : "The request body must be " + expected + ".";
        } else {
            message = field + " must be " + (expected == null ? "a value of another type or format" : expected) + ".";
        }
        Map<String, Object> details = field.isEmpty() ? Map.of() : Map.of("field", field);
        return json(400, ErrorBody.of("bad_request", message, details));
    }

    /** "a.b[0]" from Jackson's path of references */
    private static String fieldPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == BigDecimal.class || type == Double.class || type == double.class || type == Float.class
                || type == float.class) {
            return "a decimal number";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == java.math.BigInteger.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isEnum() || type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return null;
        }
        return "an object";
    }

    private static JsonProcessingException jsonCause(Throwable e) {
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof JsonProcessingException json) {
                return json;
            }
        }
        return null;
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }
}
