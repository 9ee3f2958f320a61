package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Builds the one DynamoDB client of the process, at start-up: the AWS CRT HTTP client (chosen by measurement,
 * bench/ and BENCHMARKS.md: the lowest warm latency of the SDK's clients; the Lambda jar carries its natives for
 * linux x86_64 and aarch64 only), 2 s to connect, 10 s per attempt and 20 s per call with all its retries (a
 * request behind API Gateway, whose integrations end at 29 s, answers a clean error instead of a gateway timeout
 * when DynamoDB keeps throttling), an explicit region, the SDK's standard retries. With {@code peering.dynamodb.endpoint} set (DynamoDB
 * Local, LocalStack) it talks to that endpoint; credentials then come from the environment when present,
 * else dummy ones, which both accept.
 *
 * <p>Any {@link ExecutionInterceptor} beans in the context are added to the client's interceptors, in bean order.
 * Production registers none; the tests register one that injects DynamoDB faults (throttling, 500s, timeouts,
 * races) before an attempt is sent, inside the SDK's retry loop, so the retry strategy above is what they meet.
 */
@Factory
public class DynamoDbFactory {

    /** The client every store shares. */
    @Singleton
    public DynamoDbClient dynamoDbClient(DynamoDbConfiguration config, List<ExecutionInterceptor> interceptors) {
        DynamoDbClientBuilder builder = DynamoDbClient.builder()
                .region(Region.of(config.getRegion()))
                .httpClient(AwsCrtHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .build())
                .overrideConfiguration(o -> {
                    o.apiCallAttemptTimeout(Duration.ofSeconds(10))
                            .apiCallTimeout(Duration.ofSeconds(20))
                            .executionInterceptors(List.copyOf(interceptors));
                    config.getRetryBaseDelay().ifPresent(base -> o.retryStrategy(strategy -> strategy
                            .backoffStrategy(BackoffStrategy.exponentialDelay(base, base.multipliedBy(32)))
                            .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(base, base.multipliedBy(32)))));
                });
        config.getEndpoint().filter(e -> !e.isBlank()).ifPresentOrElse(endpoint -> builder
                        .endpointOverride(URI.create(endpoint))
                        .credentialsProvider(localCredentials()),
                () -> builder.credentialsProvider(DefaultCredentialsProvider.builder().build()));
        return builder.build();
    }

    private static AwsCredentialsProvider localCredentials() {
        String key = System.getenv("AWS_ACCESS_KEY_ID");
        String secret = System.getenv("AWS_SECRET_ACCESS_KEY");
        return StaticCredentialsProvider.create(key != null && secret != null
                ? AwsBasicCredentials.create(key, secret) : AwsBasicCredentials.create("local", "local"));
    }
}
