package io.creditproxy.common;

import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Typed query parameters ({@code Long}, {@code Integer}, {@code UUID}) whose malformed values are a 422 in the API's
 * error shape naming the parameter, instead of JAX-RS's bare 404. Blank counts as absent. Only {@link QueryParam}s:
 * path parameters keep JAX-RS' 404.
 */
@Provider
public class QueryParamConverters implements ParamConverterProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        String name = queryParamName(annotations);
        if (name == null) {
            return null;
        }
        BiFunction<String, String, ?> parse = rawType == Long.class ? QueryParams::optionalLong
                : rawType == Integer.class ? QueryParams::optionalInt
                : rawType == UUID.class ? QueryParams::optionalUuid
                : null;
        return parse == null ? null : converter(name, value -> (T) parse.apply(name, value));
    }

    /** The name of the {@link QueryParam} among the annotations, or null. */
    public static String queryParamName(Annotation[] annotations) {
        if (annotations != null) {
            for (Annotation a : annotations) {
                if (a instanceof QueryParam q) {
                    return q.value();
                }
            }
        }
        return null;
    }

    /**
     * A converter from a parser that throws {@link ApiException}: the exception travels inside a
     * WebApplicationException (the only kind JAX-RS passes through from a converter) and is answered as itself by
     * {@link ErrorMappers}.
     */
    public static <T> ParamConverter<T> converter(String name, java.util.function.Function<String, T> parse) {
        return new ParamConverter<>() {
            @Override
            public T fromString(String value) {
                if (value == null || value.isBlank()) {
                    return null;
                }
                try {
                    return parse.apply(value);
                } catch (ApiException e) {
                    throw new WebApplicationException(e, e.status());
                }
            }

            @Override
            public String toString(T value) {
                return value == null ? null : value.toString();
            }
        };
    }
}
