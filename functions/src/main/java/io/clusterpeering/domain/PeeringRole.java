package io.clusterpeering.domain;

/**
 * Which end of a peering this cluster is. The acceptor generated the token; the dialer established with it.
 * Consul infers the role from whether a row has peer server addresses; we store it explicitly.
 */
public enum PeeringRole { ACCEPTOR, DIALER }
