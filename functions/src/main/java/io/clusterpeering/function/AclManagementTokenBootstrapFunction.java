package io.clusterpeering.function;

import io.clusterpeering.domain.PeeringException.PermissionDenied;
import io.clusterpeering.service.AclRequests.BootstrapBody;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The deployment's custom resource (CDK provider framework, {@code onEvent}) that bootstraps ACLs at deploy
 * time, so that a fresh stack is closed from its first request and {@code PUT /v1/acl/bootstrap} answers 403:
 * on Create or Update, unless the Secrets Manager secret named by {@code SecretId} already holds a SecretID, it
 * writes a new random one there first (so it is never lost), then bootstraps ACLs with it as the management
 * token's SecretID. A later run finds the SecretID and, if ACLs are not bootstrapped yet (a run that stopped
 * between the two steps), bootstraps with it. The SecretID is never in the template, the outputs, the answer
 * or a log line; Delete leaves the secret to its removal policy.
 */
public class AclManagementTokenBootstrapFunction extends MicronautRequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(AclManagementTokenBootstrapFunction.class);
    private static final Pattern UUID_FORMAT = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    public AclManagementTokenBootstrapFunction() {
        super();
    }

    public AclManagementTokenBootstrapFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public Map<String, Object> execute(Map<String, Object> event) {
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) event.getOrDefault("ResourceProperties", Map.of());
        String secretId = String.valueOf(properties.get("SecretId"));
        if ("Delete".equals(String.valueOf(event.get("RequestType")))) {
            return Map.of("PhysicalResourceId", secretId);
        }
        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .httpClient(AwsCrtHttpClient.create()).build()) {
            String stored = secrets.getSecretValue(r -> r.secretId(secretId)).secretString();
            String managementSecret = stored == null ? "" : stored.trim();
            if (!UUID_FORMAT.matcher(managementSecret).matches()) {
                String fresh = UUID.randomUUID().toString();
                secrets.putSecretValue(r -> r.secretId(secretId).secretString(fresh));
                managementSecret = fresh;
            }
            try {
                AclManagementService acl = getApplicationContext().getBean(AclManagementService.class);
                acl.bootstrap(new BootstrapBody(managementSecret));
                LOG.info("ACLs bootstrapped; the management token's SecretID is in the secret {}", secretId);
            } catch (PermissionDenied alreadyBootstrapped) {
                LOG.info("ACLs were already bootstrapped; the management token's SecretID is in the secret {}", secretId);
            }
        }
        return Map.of("PhysicalResourceId", secretId, "Data", Map.of());
    }
}
