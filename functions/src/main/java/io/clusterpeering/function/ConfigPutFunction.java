package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.ConfigEntryService;

import java.util.Map;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/config}: writes a config entry whose body carries {@code Kind} and {@code Name}
 * ({@code exported-services}, {@code service-intentions}, {@code service-resolver}), validated as Consul
 * validates it. Answers {@code true}, as Consul (its Go client checks for it); 400 with Consul's message.
 */
public class ConfigPutFunction extends ConsulHttpFunction {

    public ConfigPutFunction() {
        super();
    }

    public ConfigPutFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        @SuppressWarnings("unchecked")
        Map<String, Object> entry = ConsulJson.read(request.body(), Map.class);
        bean(ConfigEntryService.class).put(request.partitionOrDefault(), entry, request.caller());
        return ApiResponses.json(true, false);
    }
}
