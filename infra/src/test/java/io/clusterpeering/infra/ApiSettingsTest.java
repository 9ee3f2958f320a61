package io.clusterpeering.infra;

import io.clusterpeering.infra.ApiSettings.ApiVariant;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The API settings read from the CDK context ({@code -c api=rest -c throttleRate=... -c localstack=true}). */
class ApiSettingsTest {

    @Test
    void withoutContextTheStackIsAnHttpApiOnAwsWithTheDefaultThrottle() {
        assertEquals(ApiSettings.DEFAULTS, ApiSettings.fromContext(key -> null));
        assertEquals(new ApiSettings(ApiVariant.HTTP, 100, 200, false), ApiSettings.DEFAULTS);
    }

    @Test
    void contextValuesChooseTheVariantTheThrottleAndLocalStack() {
        Map<String, Object> context = Map.of("api", "REST", "throttleRate", "20", "throttleBurst", " 40 ", "localstack", "true");
        assertEquals(new ApiSettings(ApiVariant.REST, 20, 40, true), ApiSettings.fromContext(context::get));
        assertEquals(ApiVariant.HTTP, ApiSettings.fromContext(Map.<String, Object>of("api", "http")::get).variant());
    }

    @Test
    void aBadValueIsRefusedNamingItsKey() {
        assertEquals("-c api=graphql: api must be http (an HTTP API) or rest (a REST API)", assertThrows(
                IllegalArgumentException.class, () -> ApiSettings.fromContext(Map.<String, Object>of("api", "graphql")::get))
                .getMessage());
        assertEquals("-c throttleRate=fast: throttleRate must be a whole number", assertThrows(IllegalArgumentException.class,
                () -> ApiSettings.fromContext(Map.<String, Object>of("throttleRate", "fast")::get)).getMessage());
        assertEquals("-c localstack=yes: localstack must be true or false", assertThrows(IllegalArgumentException.class,
                () -> ApiSettings.fromContext(Map.<String, Object>of("localstack", "yes")::get)).getMessage());
        assertEquals("throttleRate and throttleBurst must be positive, not 0 and 200", assertThrows(
                IllegalArgumentException.class, () -> ApiSettings.fromContext(Map.<String, Object>of("throttleRate", "0")::get))
                .getMessage());
        assertEquals("throttleBurst (10) must be at least throttleRate (100)", assertThrows(IllegalArgumentException.class,
                () -> ApiSettings.fromContext(Map.<String, Object>of("throttleBurst", "10")::get)).getMessage());
    }
}
