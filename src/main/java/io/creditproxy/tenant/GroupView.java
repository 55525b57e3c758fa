package io.creditproxy.tenant;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/** A price group: its name, multiplier (exact decimal string), description, whether keys in it may submit. */
public record GroupView(long id, String name,
                        @JsonProperty("price_multiplier") @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal priceMultiplier,
                        String description, boolean enabled) {

    static GroupView of(PriceGroup g) {
        return new GroupView(g.id, g.name, TenantView.plain(g.priceMultiplier), g.description, g.enabled);
    }
}
