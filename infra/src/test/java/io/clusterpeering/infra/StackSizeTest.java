package io.clusterpeering.infra;

import io.clusterpeering.function.Routes;
import io.clusterpeering.infra.ApiSettings.ApiVariant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.StackProps;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CloudFormation refuses a template of more than 500 resources, and the route table keeps growing (a route costs
 * some 8 to 10 resources). For each API variant, the synthesized cluster stack has one nested stack per
 * {@link RouteFamily}, and no template (the stack's own or a nested one) has more than
 * {@link RouteFamily#MAX_RESOURCES_PER_TEMPLATE}; each family's template also has room for {@value #ROUTES_AHEAD}
 * more routes at its own resources per route (fixed resources included, so an overestimate) below 500.
 */
class StackSizeTest {
    private static final Path FUNCTIONS_JAR = Path.of("..", "functions", "target", "functions-lambda.jar");
    /** CloudFormation's hard limit of resources in one template. */
    static final int CLOUDFORMATION_LIMIT = 500;
    /** Routes that any one family must still be able to take. */
    static final int ROUTES_AHEAD = 30;

    @ParameterizedTest(name = "{0}")
    @EnumSource(ApiVariant.class)
    void everyTemplateStaysFarBelowCloudFormationsResourceLimit(ApiVariant variant) throws IOException {
        assertTrue(Files.isRegularFile(FUNCTIONS_JAR), "build the functions jar first: mvn package (or verify)");
        Path cdkOut = Files.createTempDirectory("stack-size-" + variant);
        App app = new App(AppProps.builder().outdir(cdkOut.toString()).build());
        new ClusterStack(app, "cluster-peering-dc1", StackProps.builder().build(), "dc1", FUNCTIONS_JAR.toString(),
                new ApiSettings(variant, ApiSettings.DEFAULT_THROTTLE_RATE, ApiSettings.DEFAULT_THROTTLE_BURST, false));
        app.synth();

        Map<Path, Map<String, Object>> templates = StackTemplates.templates(cdkOut, "cluster-peering-dc1");
        assertEquals(RouteFamily.values().length + 1, templates.size(), "the cluster stack and one per family: "
                + templates.keySet());
        Map<RouteFamily, List<Routes.Route>> families = RouteFamily.group(Routes.ALL);
        List<String> tooLarge = new ArrayList<>();
        templates.forEach((file, template) -> {
            int resources = ((Map<?, ?>) template.get("Resources")).size();
            String name = file.getFileName().toString();
            System.out.printf("%s %s: %d resources%n", variant, name, resources);
            if (resources > RouteFamily.MAX_RESOURCES_PER_TEMPLATE) {
                tooLarge.add(name + ": " + resources);
            }
            families.forEach((family, routes) -> {
                if (name.contains(family.id() + "Routes")) {
                    int perRoute = (resources + routes.size() - 1) / routes.size();
                    if (resources + ROUTES_AHEAD * perRoute > CLOUDFORMATION_LIMIT) {
                        tooLarge.add(name + ": " + resources + " + " + ROUTES_AHEAD + " routes x " + perRoute
                                + " passes " + CLOUDFORMATION_LIMIT);
                    }
                }
            });
        });
        assertTrue(tooLarge.isEmpty(), variant + ": templates past " + RouteFamily.MAX_RESOURCES_PER_TEMPLATE
                + " resources or without room for " + ROUTES_AHEAD + " more routes (split a RouteFamily): " + tooLarge);
    }
}
