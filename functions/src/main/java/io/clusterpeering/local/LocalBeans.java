package io.clusterpeering.local;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.net.URI;

/** Beans only the local runtime needs: the DynamoDB Streams client that the local poller reads with. */
@Factory
@Requires(env = "local")
public class LocalBeans {

    /** A Streams client for the same endpoint as the table client. */
    @Singleton
    public DynamoDbStreamsClient dynamoDbStreamsClient(DynamoDbConfiguration config) {
        var builder = DynamoDbStreamsClient.builder()
                .region(Region.of(config.getRegion()))
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        config.getEndpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        return builder.build();
    }
}
