package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.ConfigEntryService;

import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/config}: writes a config entry whose body carries {@code Kind} and {@code Name}
 * ({@code exported-services}, {@code service-intentions}, {@code service-resolver}), validated as Consul
 * validates it. Answers {@code true}, as Consul (its Go client checks for it); 400 with Consul's message. With
 * {@code ?cas=<index>} (the Go client's {@code ConfigEntries().CAS}, {@code consul config write -cas}) it writes
 * only if the entry's ModifyIndex is that index (0: only if there is none) and answers {@code false} otherwise.
 */
public class ConfigPutFunction extends ConsulHttpFunction {

    public ConfigPutFunction() {
        super();
    }

    public ConfigPutFunction(ApplicationContext context) {
        super(context);
    }

    /** {@code ?cas=}, an unsigned integer; empty when absent (also for DELETE /v1/config/:kind/:name). */
    static OptionalLong cas(ApiRequest request) {
        Optional<String> value = request.query("cas").filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long cas = Long.parseUnsignedLong(value.get());
            return OptionalLong.of(cas < 0 ? Long.MAX_VALUE : cas);
        } catch (NumberFormatException e) {
            throw new InvalidRequest("Invalid cas: cas must be an unsigned integer, not \"" + value.get() + "\"");
        }
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        @SuppressWarnings("unchecked")
        Map<String, Object> entry = ConsulJson.read(request.body(), Map.class);
        boolean written = bean(ConfigEntryService.class).put(request.partitionOrDefault(), entry, request.caller(),
                cas(request));
        return ApiResponses.json(written, false);
    }
}
