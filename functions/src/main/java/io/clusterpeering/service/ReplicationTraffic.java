package io.clusterpeering.service;

import io.clusterpeering.peer.PeerMessage;
import jakarta.inject.Singleton;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this process has sent its peers, by message kind: messages and signed bytes. Counters only grow; a reader
 * takes two {@link #snapshot()}s and subtracts. It shows the cost of replication (a change sends one small update
 * per consumer; a quiet resync sends one list per peer), for logs, the benchmark and the tests.
 */
@Singleton
public class ReplicationTraffic {
    private final Map<PeerMessage.Kind, AtomicLong> messages = new EnumMap<>(PeerMessage.Kind.class);
    private final Map<PeerMessage.Kind, AtomicLong> bytes = new EnumMap<>(PeerMessage.Kind.class);
    private final AtomicLong largest = new AtomicLong();

    public ReplicationTraffic() {
        for (PeerMessage.Kind kind : PeerMessage.Kind.values()) {
            messages.put(kind, new AtomicLong());
            bytes.put(kind, new AtomicLong());
        }
    }

    /** Counts one message of {@code size} signed bytes. */
    void sent(PeerMessage.Kind kind, long size) {
        messages.get(kind).incrementAndGet();
        bytes.get(kind).addAndGet(size);
        largest.accumulateAndGet(size, Math::max);
    }

    /** The largest message sent so far, in signed bytes. */
    public long largestMessage() {
        return largest.get();
    }

    /** The counters now. */
    public Counts snapshot() {
        Map<PeerMessage.Kind, Long> m = new EnumMap<>(PeerMessage.Kind.class);
        Map<PeerMessage.Kind, Long> b = new EnumMap<>(PeerMessage.Kind.class);
        messages.forEach((kind, count) -> m.put(kind, count.get()));
        bytes.forEach((kind, count) -> b.put(kind, count.get()));
        return new Counts(m, b);
    }

    /**
     * Messages and bytes sent, by kind.
     *
     * @param messages messages by kind
     * @param bytes    signed bytes by kind
     */
    public record Counts(Map<PeerMessage.Kind, Long> messages, Map<PeerMessage.Kind, Long> bytes) {
        /** What was sent between {@code before} and this snapshot. */
        public Counts minus(Counts before) {
            Map<PeerMessage.Kind, Long> m = new EnumMap<>(PeerMessage.Kind.class);
            Map<PeerMessage.Kind, Long> b = new EnumMap<>(PeerMessage.Kind.class);
            messages.forEach((kind, count) -> m.put(kind, count - before.messages().getOrDefault(kind, 0L)));
            bytes.forEach((kind, count) -> b.put(kind, count - before.bytes().getOrDefault(kind, 0L)));
            return new Counts(m, b);
        }

        /** Messages of one kind. */
        public long messages(PeerMessage.Kind kind) {
            return messages.getOrDefault(kind, 0L);
        }

        /** Bytes of one kind. */
        public long bytes(PeerMessage.Kind kind) {
            return bytes.getOrDefault(kind, 0L);
        }

        /** All messages. */
        public long totalMessages() {
            return messages.values().stream().mapToLong(Long::longValue).sum();
        }

        /** All bytes. */
        public long totalBytes() {
            return bytes.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
