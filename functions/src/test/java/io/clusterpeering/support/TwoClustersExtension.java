package io.clusterpeering.support;

import io.clusterpeering.local.LocalCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The extension behind {@link TwoClusters}: before the class's {@code @BeforeAll} methods it starts dc1, then
 * dc2, with the annotation's settings (and ACLs, bootstrapped if asked); after its {@code @AfterAll} methods it
 * stops dc1, then dc2. Each cluster goes into the class's {@link ExtensionContext.Store} as soon as it runs, so
 * JUnit closes it with the class even when the setup fails half-way. Resolves {@link Clusters} parameters of
 * {@code @BeforeAll} methods, constructors (with the default per-method lifecycle) and test methods.
 */
public final class TwoClustersExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TwoClustersExtension.class);
    private static final List<String> DATACENTERS = List.of("dc1", "dc2");

    @Override
    public void beforeAll(ExtensionContext context) {
        TwoClusters spec = AnnotationSupport.findAnnotation(context.getRequiredTestClass(), TwoClusters.class)
                .orElseThrow(() -> new ExtensionConfigurationException("TwoClustersExtension needs @TwoClusters"));
        if (spec.bootstrap() && spec.acl().isEmpty()) {
            throw new ExtensionConfigurationException("@TwoClusters(bootstrap = true) needs acl");
        }
        Map<String, Object> settings = settings(spec.settings());
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        LocalCluster[] clusters = new LocalCluster[2];
        for (int i = 0; i < 2; i++) {
            String datacenter = DATACENTERS.get(i);
            clusters[i] = spec.acl().isEmpty() ? PeeringFlow.startCluster(datacenter, settings)
                    : AclFlow.startCluster(datacenter, spec.acl(), settings);
            store.put(datacenter, clusters[i]);
        }
        ConsulHttp client1 = PeeringFlow.client(clusters[0]);
        ConsulHttp client2 = PeeringFlow.client(clusters[1]);
        ConsulHttp management1 = spec.bootstrap() ? client1.withToken(AclFlow.bootstrap(client1)) : null;
        ConsulHttp management2 = spec.bootstrap() ? client2.withToken(AclFlow.bootstrap(client2)) : null;
        store.put(Clusters.class, new Clusters(clusters[0], clusters[1], client1, client2, management1, management2));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        for (String datacenter : DATACENTERS) {
            LocalCluster cluster = store.remove(datacenter, LocalCluster.class);
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Clusters.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Clusters clusters = context.getStore(NAMESPACE).get(Clusters.class, Clusters.class);
        if (clusters == null) {
            throw new ParameterResolutionException("the two clusters are not running (@TwoClusters did not start them)");
        }
        return clusters;
    }

    /** {@code "key=value"} entries as configuration. */
    private static Map<String, Object> settings(String[] entries) {
        Map<String, Object> settings = new HashMap<>();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            if (equals < 1) {
                throw new ExtensionConfigurationException("@TwoClusters setting is not key=value: " + entry);
            }
            settings.put(entry.substring(0, equals), entry.substring(equals + 1));
        }
        return settings;
    }
}
