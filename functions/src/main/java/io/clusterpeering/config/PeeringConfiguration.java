package io.clusterpeering.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotBlank;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;

import java.time.Duration;

/**
 * The cluster's peering settings, under {@code peering.*} (environment variables {@code PEERING_*}).
 * Defaults live in {@code application.yml}; the CDK stack sets the same keys through the environment.
 */
@ConfigurationProperties("peering")
public interface PeeringConfiguration {

    /** This cluster's datacenter name ({@code PEERING_DATACENTER}), for example {@code dc1}. */
    @NotBlank
    String getDatacenter();

    /**
     * The base URL at which other clusters reach this one ({@code PEERING_ADVERTISE_URL}), for example
     * {@code http://127.0.0.1:8500} locally or the API Gateway URL in AWS. Its host and port become the
     * token's {@code ServerAddresses}.
     */
    @NotBlank
    String getAdvertiseUrl();

    /** How long a generated peering token stays valid (its {@code exp} claim). Default 24 hours. */
    @NotNull
    Duration getTokenLifetime();

    /**
     * How long a Connect leaf certificate from {@code /v1/agent/connect/ca/leaf/:service} is valid. Default 72 hours,
     * Consul's {@code leaf_cert_ttl}.
     */
    @NotNull
    Duration getLeafCertTtl();

    /** How often each side sends a heartbeat to its peer. Default 15 seconds, as Consul. */
    @NotNull
    Duration getHeartbeatInterval();

    /** How long without hearing from the peer before an ACTIVE peering reads FAILING. Default 2 minutes. */
    @NotNull
    Duration getHeartbeatTimeout();

    /**
     * How long a change of an exported service may stay unacknowledged by the peer before its sync status says so
     * ({@code GET /v1/peering/:name/services}). Default 45 seconds: three heartbeat intervals, each of which resyncs.
     */
    @NotNull
    Duration getSyncAckTimeout();

    /** How long one call to a peer may take, connect plus answer. Default 5 seconds. */
    @NotNull
    Duration getPeerCallTimeout();

    /** The longest a blocking query ({@code ?wait=}) may wait. Default 10 minutes (Consul's cap). */
    @NotNull
    Duration getMaxBlockingWait();

    /** How often a blocking query re-reads the store while it waits. Default 100 milliseconds. */
    @NotNull
    Duration getBlockingPollInterval();

    /**
     * How long audit events are kept ({@code PEERING_AUDIT_RETENTION}); DynamoDB's TTL removes them after that.
     * Default 90 days.
     */
    @NotNull
    Duration getAuditRetention();

    /**
     * Whether metrics are also written as CloudWatch Embedded Metric Format lines to standard output
     * ({@code PEERING_METRICS_EMF}); the stack turns it on in AWS. Default false (locally, metrics stay in memory).
     */
    boolean isMetricsEmf();

    /**
     * How many peerings one heartbeat round (the local schedule) works on at once; in AWS the queue's worker
     * concurrency bounds it instead. Default 32.
     */
    @Bindable(defaultValue = "32")
    @Positive
    int getHeartbeatConcurrency();

    /**
     * How long a stream handler's call may work when no Lambda context says how long is left
     * ({@code peering.stream-invocation-time}: the local stream poller, the start-up sweep); the deployed stream
     * function's timeout, 120 seconds, by default. A purge works until this less {@link #getStreamSafetyMargin()}.
     */
    @Bindable(defaultValue = "120s")
    @NotNull
    Duration getStreamInvocationTime();

    /**
     * How much of a stream handler's invocation a purge leaves unused ({@code peering.stream-safety-margin}), so
     * that its last batches, its progress record and the handler's answer fit before Lambda's timeout. Default 15
     * seconds.
     */
    @Bindable(defaultValue = "15s")
    @NotNull
    Duration getStreamSafetyMargin();

    /** How many peers a change or a resync of all peers is sent to at once. Default 16. */
    @Bindable(defaultValue = "16")
    @Positive
    int getReplicationConcurrency();
}
