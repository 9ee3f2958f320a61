package io.clusterpeering.domain;

/**
 * A read result with the Consul index it reflects: the value a read returns and the largest
 * {@code ModifyIndex} (or scope counter) it saw, which becomes {@code X-Consul-Index} for a read that did not
 * block. Plain data.
 *
 * @param value the result
 * @param index the index it reflects; 0 when it saw none (answered as 1, since Consul never answers 0)
 * @param <T>   the result's type
 */
public record Indexed<T>(T value, long index) {
}
