package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.clusterpeering.store.SecretsManagerClusterIdentitySource;
import io.clusterpeering.token.ClusterIdentityGenerator;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.util.Map;

/**
 * The deployment's custom resource (CDK provider framework, {@code onEvent}) that creates the cluster identity
 * once: on Create or Update, when the secret named by the {@code SecretId} property does not yet hold an
 * identity, it generates a CA and signing key and stores them; an existing identity is never replaced, so
 * tokens and peerings survive redeployments. Delete leaves the secret to its own removal policy. The only
 * function allowed to write the secret. Answers the provider framework's {@code {PhysicalResourceId, Data}};
 * the data holds the cluster ID only, never key material.
 */
public class ClusterIdentityBootstrapFunction implements RequestHandler<Map<String, Object>, Map<String, Object>> {

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) event.getOrDefault("ResourceProperties", Map.of());
        String secretId = String.valueOf(properties.get("SecretId"));
        String requestType = String.valueOf(event.get("RequestType"));
        if ("Delete".equals(requestType)) {
            return Map.of("PhysicalResourceId", secretId);
        }
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(UrlConnectionHttpClient.create()).build()) {
            String current = secrets.getSecretValue(r -> r.secretId(secretId)).secretString();
            String clusterId;
            try {
                clusterId = SecretsManagerClusterIdentitySource.parse(current).clusterId();
            } catch (IllegalStateException notYetAnIdentity) {
                var identity = ClusterIdentityGenerator.generate();
                secrets.putSecretValue(r -> r.secretId(secretId)
                        .secretString(SecretsManagerClusterIdentitySource.format(identity)));
                clusterId = identity.clusterId();
            }
            return Map.of("PhysicalResourceId", secretId, "Data", Map.of("ClusterId", clusterId));
        }
    }
}
