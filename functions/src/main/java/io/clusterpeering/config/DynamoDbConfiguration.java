package io.clusterpeering.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.NotBlank;

import java.time.Duration;
import java.util.Optional;

/**
 * Where the store lives, under {@code peering.dynamodb.*}.
 * <ul>
 *   <li>{@code PEERING_DYNAMODB_ENDPOINT}: an endpoint override, for DynamoDB Local or LocalStack
 *       ({@code http://127.0.0.1:4566}); unset means the real DynamoDB of {@code region}.</li>
 *   <li>{@code PEERING_DYNAMODB_TABLE_NAME}: the single table.</li>
 *   <li>{@code PEERING_DYNAMODB_CREATE_TABLE}: create the table (with its stream) at start-up when missing;
 *       on for local runs and tests, off in AWS where the CDK stack owns the table.</li>
 * </ul>
 */
@ConfigurationProperties("peering.dynamodb")
public interface DynamoDbConfiguration {

    /** The table name. */
    @NotBlank
    String getTableName();

    /** The AWS region, for example {@code us-east-1}; any value works against DynamoDB Local. */
    @NotBlank
    String getRegion();

    /** The endpoint override, when the store is not the real DynamoDB. */
    Optional<String> getEndpoint();

    /** Whether to create the table at start-up when it does not exist. */
    boolean isCreateTable();

    /**
     * The first retry's backoff ({@code peering.dynamodb.retry-base-delay}, a duration such as {@code 5ms}), for
     * throttled and other retryable failures alike, doubling with each attempt up to 32 times it (with jitter).
     * Unset keeps the SDK's DynamoDB defaults (25 ms, 500 ms when throttled, at most 20 s; 9 attempts in all), which
     * is what production runs with; tests that inject hundreds of faults set it short so they do not wait out
     * production backoffs. The number of attempts is the SDK's either way.
     */
    Optional<Duration> getRetryBaseDelay();
}
