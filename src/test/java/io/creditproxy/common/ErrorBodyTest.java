package io.creditproxy.common;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one error shape also reads as fal's: a top-level message and detail, a 422's detail a list of {loc, msg, type}. */
class ErrorBodyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRefusalCarriesTheProjectsErrorObjectAndFalsMessageAndDetail() {
        JsonNode body = JSON.valueToTree(new ApiException(402, "insufficient_credits", "Not enough credits.",
                Map.of("required", 750)).body());

        assertThat(body.path("error").path("code").asText()).isEqualTo("insufficient_credits");
        assertThat(body.path("error").path("message").asText()).isEqualTo("Not enough credits.");
        assertThat(body.path("error").path("required").asInt()).isEqualTo(750);
        assertThat(body.path("message").asText()).isEqualTo("Not enough credits.");
        assertThat(body.path("detail").asText()).isEqualTo("Not enough credits.");
    }

    @Test
    void a422sDetailIsFalsListOfValidationErrorsNamingTheField() {
        JsonNode body = JSON.valueToTree(new ApiException(422, "invalid_parameter", "num_images must be 1 to 4.",
                Map.of("param", "num_images")).body());

        assertThat(body.path("error").path("code").asText()).isEqualTo("invalid_parameter");
        assertThat(body.path("message").asText()).isEqualTo("num_images must be 1 to 4.");
        JsonNode detail = body.path("detail");
        assertThat(detail.isArray()).isTrue();
        assertThat(detail).hasSize(1);
        assertThat(detail.get(0).path("loc").toString()).isEqualTo("[\"body\",\"num_images\"]");
        assertThat(detail.get(0).path("msg").asText()).isEqualTo("num_images must be 1 to 4.");
        assertThat(detail.get(0).path("type").asText()).isEqualTo("value_error");
    }

    @Test
    void a422WithoutAFieldPointsAtTheBody() {
        JsonNode body = JSON.valueToTree(ApiException.invalidParameter("Idempotency-Key must be 1 to 255 characters.").body());

        assertThat(body.path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\"]");
        assertThat(ErrorMappers.json(422, ErrorBody.of("x", "y")).getEntity())
                .isInstanceOfSatisfying(ErrorBody.class, b -> assertThat(b.detail()).isInstanceOf(java.util.List.class));
        assertThat(ErrorMappers.json(404, ErrorBody.of("x", "y")).getEntity())
                .isInstanceOfSatisfying(ErrorBody.class, b -> assertThat(b.detail()).isEqualTo("y"));
    }
}
