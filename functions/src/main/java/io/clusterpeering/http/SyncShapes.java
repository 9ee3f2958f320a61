package io.clusterpeering.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.clusterpeering.domain.ServiceSync;
import io.clusterpeering.service.SyncStatusService;

import java.time.Instant;
import java.util.List;

/**
 * The JSON of {@code GET /v1/peering/{name}/services} (ours): per-service sync status both ways, in Consul's casing.
 * Versions are in the exporter's space on both sides ({@link ServiceSync}).
 */
public final class SyncShapes {
    private SyncShapes() {
    }

    /**
     * The report: {@code PeerViewKnown} is false when the peer could not be asked, {@code PeerError} says why.
     */
    @JsonPropertyOrder({"PeerName", "PeerViewKnown", "PeerError", "Exported", "Imported"})
    public record SyncReportView(@JsonProperty("PeerName") String peerName,
                                 @JsonProperty("PeerViewKnown") boolean peerViewKnown,
                                 @JsonProperty("PeerError") String peerError,
                                 @JsonProperty("Exported") List<ServiceSyncView> exported,
                                 @JsonProperty("Imported") List<ServiceSyncView> imported) {
        /** The view of a report. */
        public static SyncReportView of(SyncStatusService.Report report) {
            return new SyncReportView(report.peerName(), report.peerViewOk(), report.peerError(),
                    report.exported().stream().map(ServiceSyncView::of).toList(),
                    report.imported().stream().map(ServiceSyncView::of).toList());
        }
    }

    /** One service: {@code State} is synced, pending, refused or purging; {@code Reason} is empty when synced. */
    @JsonPropertyOrder({"Service", "State", "Reason", "Exporter", "Importer"})
    public record ServiceSyncView(@JsonProperty("Service") String service, @JsonProperty("State") String state,
                                  @JsonProperty("Reason") String reason,
                                  @JsonProperty("Exporter") HeldView exporter,
                                  @JsonProperty("Importer") HeldView importer) {
        static ServiceSyncView of(ServiceSync sync) {
            return new ServiceSyncView(sync.service(), sync.state().wire(), sync.reason(), HeldView.of(sync.exporter()),
                    HeldView.of(sync.importer()));
        }
    }

    /** What one side holds; null (JSON null) when it holds nothing or its view is unknown. */
    @JsonPropertyOrder({"Version", "Instances", "Digest", "ChangedAt"})
    public record HeldView(@JsonProperty("Version") long version, @JsonProperty("Instances") long instances,
                           @JsonProperty("Digest") String digest, @JsonProperty("ChangedAt") Instant changedAt) {
        static HeldView of(ServiceSync.Held held) {
            return held == null ? null : new HeldView(held.version(), held.instances(), held.digest(), held.changedAt());
        }
    }
}
