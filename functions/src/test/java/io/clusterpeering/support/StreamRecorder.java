package io.clusterpeering.support;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.local.LocalBeans;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every non-empty batch of stream records the local stream poller reads, in the order it reads them, so
 * a test can deliver them again to the stream handlers (duplicated, out of order). Replaces the local Streams
 * client with the same client plus a recording interceptor, only with {@code peering.test.stream-recording=true}.
 */
@Factory
@Requires(property = "peering.test.stream-recording", value = "true")
public class StreamRecorder {
    private final List<List<Record>> batches = new CopyOnWriteArrayList<>();

    /** The local Streams client, recording what GetRecords answers. */
    @Singleton
    @Replaces(factory = LocalBeans.class, bean = DynamoDbStreamsClient.class)
    public DynamoDbStreamsClient recordingStreamsClient(DynamoDbConfiguration config) {
        var builder = DynamoDbStreamsClient.builder()
                .region(software.amazon.awssdk.regions.Region.of(config.getRegion()))
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("local", "local")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                        if (context.response() instanceof GetRecordsResponse page && !page.records().isEmpty()) {
                            batches.add(List.copyOf(page.records()));
                        }
                    }
                }));
        config.getEndpoint().ifPresent(endpoint -> builder.endpointOverride(java.net.URI.create(endpoint)));
        return builder.build();
    }

    /** The batches read so far, in reading order. */
    public List<List<Record>> batches() {
        return new ArrayList<>(batches);
    }
}
