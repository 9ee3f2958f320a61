# The seed's example, as a platform engineer writes it with the Consul provider: cluster-01 (dc1) generates a
# peering token for cluster-02, cluster-02 (dc2) establishes the peering with it, and cluster-01 exports a
# service to the new peer. compat/terraform/run.sh applies it against two local clusters, plans again (no change
# expected) and destroys it.

terraform {
  required_providers {
    consul = {
      source  = "hashicorp/consul"
      version = "2.23.0"
    }
  }
}

variable "dc1_address" {
  description = "host:port of cluster-01's HTTP API"
  type        = string
}

variable "dc2_address" {
  description = "host:port of cluster-02's HTTP API"
  type        = string
}

variable "service" {
  description = "the service cluster-01 exports to cluster-02"
  type        = string
  default     = "web"
}

provider "consul" {
  alias      = "dc1"
  address    = var.dc1_address
  scheme     = "http"
  datacenter = "dc1"
}

provider "consul" {
  alias      = "dc2"
  address    = var.dc2_address
  scheme     = "http"
  datacenter = "dc2"
}

resource "consul_peering_token" "cluster_02" {
  provider  = consul.dc1
  peer_name = "cluster-02"
  meta = {
    owner = "platform-team"
  }
}

resource "consul_peering" "cluster_01" {
  provider      = consul.dc2
  peer_name     = "cluster-01"
  peering_token = consul_peering_token.cluster_02.peering_token
  meta = {
    env = "production"
  }
}

resource "consul_config_entry" "exported_services" {
  provider = consul.dc1
  kind     = "exported-services"
  name     = "default"
  config_json = jsonencode({
    Services = [{
      Name      = var.service
      Namespace = ""
      Consumers = [{ Peer = "cluster-02" }]
    }]
  })
  depends_on = [consul_peering.cluster_01]
}

output "dialer_state" {
  description = "the peering's state on cluster-02 as the provider read it after the apply"
  value       = consul_peering.cluster_01.state
}

output "dialer_peer_id" {
  description = "cluster-02's PeerID: the ID of the peering on cluster-01"
  value       = consul_peering.cluster_01.peer_id
}
