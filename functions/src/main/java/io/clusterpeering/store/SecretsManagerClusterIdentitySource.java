package io.clusterpeering.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentityCodec;
import io.clusterpeering.token.CachedClusterIdentitySource;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import java.io.IOException;
import java.util.Map;

/**
 * The cluster identity in AWS: one Secrets Manager secret ({@code peering.identity.secret-id}) holding the
 * identity's fields as JSON. The deployment creates it once (the identity bootstrap custom resource);
 * functions only read it, and only the functions that sign or present the CA are granted
 * {@code secretsmanager:GetSecretValue}. Read once per instance, on first use (after a SnapStart restore,
 * not before the snapshot), then held in memory.
 */
@Singleton
@Requires(property = "peering.identity.source", value = "secrets-manager")
public class SecretsManagerClusterIdentitySource extends CachedClusterIdentitySource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String secretId;
    private final String region;
    private SecretsManagerClient client;

    public SecretsManagerClusterIdentitySource(@Value("${peering.identity.secret-id}") String secretId,
                                               @Value("${peering.dynamodb.region}") String region,
                                               @Value("${peering.identity-refresh:60s}") java.time.Duration refresh) {
        super(refresh);
        this.secretId = secretId;
        this.region = region;
    }

    @Override
    protected ClusterIdentity load() {
        return parse(secrets().getSecretValue(r -> r.secretId(secretId)).secretString());
    }

    /** Builds the Secrets Manager client before a SnapStart snapshot; reads nothing. */
    @Override
    public void prepare() {
        secrets();
    }

    /** One client per instance, built on first use or by {@link #prepare}, reused by every refresh. */
    private synchronized SecretsManagerClient secrets() {
        if (client == null) {
            client = SecretsManagerClient.builder().region(Region.of(region)).httpClient(AwsCrtHttpClient.create()).build();
        }
        return client;
    }

    @Override
    public ClusterIdentity current() {
        return load();
    }

    /**
     * Puts a new version of the secret after checking that the current one is still at {@code expectedRevision}
     * (Secrets Manager has no conditional write: the check and the put are two calls, so two rotation steps at the
     * same instant could both pass it; the steps are taken by the operator's rotate call and the heartbeat tick,
     * which runs one at a time).
     */
    @Override
    protected void store(long expectedRevision, ClusterIdentity next) {
        if (load().rotation().revision() != expectedRevision) {
            throw new io.clusterpeering.token.ClusterIdentitySource.IdentityChanged(
                    "the cluster identity was rewritten since revision " + expectedRevision);
        }
        secrets().putSecretValue(r -> r.secretId(secretId).secretString(format(next)));
    }

    /**
     * Reads an identity from the secret's JSON text.
     *
     * @throws IllegalStateException when the text is not a stored identity (the bootstrap has not run)
     */
    public static ClusterIdentity parse(String secretText) {
        try {
            Map<String, String> fields = JSON.readValue(secretText, new TypeReference<Map<String, String>>() { });
            return ClusterIdentityCodec.fromFields(fields);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("the cluster identity secret does not hold an identity", e);
        }
    }

    /** The JSON text to store for an identity. */
    public static String format(ClusterIdentity identity) {
        try {
            return JSON.writeValueAsString(ClusterIdentityCodec.toFields(identity));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
