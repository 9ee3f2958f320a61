package io.clusterpeering.queue;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.service.BeatQueue;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Duration;

/**
 * Builds the heartbeat queue when {@code peering.heartbeat-queue-url} ({@code PEERING_HEARTBEAT_QUEUE_URL}) is
 * set, as the CDK stack sets it: an SQS client in the table's region with the AWS CRT HTTP client, the one every
 * function's jar carries ({@code functions-lambda.jar} leaves the URL-connection client out: only the identity
 * bootstrap's jar has it), 2 s to connect and 10 s per attempt.
 */
@Factory
@Requires(property = "peering.heartbeat-queue-url")
public class SqsBeatQueueFactory {

    /** The queue every heartbeat function shares. */
    @Singleton
    public BeatQueue beatQueue(@Value("${peering.heartbeat-queue-url}") String queueUrl, DynamoDbConfiguration config) {
        SqsClient sqs = SqsClient.builder()
                .region(Region.of(config.getRegion()))
                .credentialsProvider(DefaultCredentialsProvider.builder().build())
                .httpClient(AwsCrtHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .build())
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(10)))
                .build();
        return new SqsBeatQueue(sqs, queueUrl);
    }
}
