package io.creditproxy.report;

import io.creditproxy.common.QueryParamConverters;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.time.ZoneId;
import java.util.function.Function;

/** The report parameters' own types from text: a bad value is a 422 naming the parameter, as for every query. */
@Provider
public class ReportParamConverters implements ParamConverterProvider {

    private final TimeZones zones;

    public ReportParamConverters(TimeZones zones) {
        this.zones = zones;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        String name = QueryParamConverters.queryParamName(annotations);
        if (name == null) {
            return null;
        }
        Function<String, ?> parse = rawType == TimeBound.class ? text -> TimeBound.parse(name, text)
                : rawType == ZoneId.class ? zones::require
                : rawType == GroupBy.class ? GroupBy::parse
                : rawType == ReportFormat.class ? ReportFormat::parse
                : null;
        return parse == null ? null : QueryParamConverters.converter(name, text -> (T) parse.apply(text));
    }
}
