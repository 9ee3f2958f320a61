package io.clusterpeering.function;

import io.clusterpeering.support.OpenApiContract;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The route table and the OpenAPI document describe the same routes: none is missing from either. */
class RoutesMatchOpenApiTest {

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedRouteExists() {
        OpenAPI document = new OpenAPIV3Parser().read(OpenApiContract.DOCUMENT.toString());
        Set<String> documented = new TreeSet<>();
        document.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> documented.add(method.name() + " " + path)));
        Set<String> routed = Routes.ALL.stream().map(r -> r.method() + " " + r.path())
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(routed, documented);
    }

    @Test
    void internalRoutesAreMarkedInternalInTheDocument() {
        OpenAPI document = new OpenAPIV3Parser().read(OpenApiContract.DOCUMENT.toString());
        Routes.ALL.stream().filter(Routes.Route::internal).forEach(route -> {
            var operation = document.getPaths().get(route.path()).readOperationsMap().values().iterator().next();
            assertTrue(operation.getTags().contains("internal"), route.path());
            assertEquals(Boolean.TRUE, operation.getExtensions().get("x-internal"), route.path());
        });
    }
}
